//! Generates the parser from `grammar/apy.lalrpop` into OUT_DIR; generated code is never committed.

fn main() {
    println!("cargo:rerun-if-changed=grammar/apy.lalrpop");
    lalrpop::Configuration::new()
        .set_in_dir("grammar")
        .process()
        .expect("the grammar in grammar/apy.lalrpop must generate a parser");
}
