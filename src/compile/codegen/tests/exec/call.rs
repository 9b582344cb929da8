//! Calls in the test interpreter: functions (argument binding, cells, generator creation),
//! bound methods, classes, built-in functions and the few built-in methods the test programs
//! use.

use super::value::*;
use super::*;

impl Vm {
    pub(super) fn call(&mut self, func: &V, args: Vec<V>, kwargs: Vec<(V, V)>) -> R<V> {
        match func {
            V::Func(func) => self.call_function(func, args, kwargs),
            V::Bound(this, func) => {
                let mut all = vec![(**this).clone()];
                all.extend(args);
                self.call(func, all, kwargs)
            }
            V::Class(class) => {
                let inst = V::Instance(Rc::new(Instance {
                    class: class.clone(),
                    attrs: Rc::default(),
                }));
                if let Some(init) = class.lookup("__init__") {
                    let mut all = vec![inst.clone()];
                    all.extend(args);
                    self.call(&init, all, kwargs)?;
                }
                Ok(inst)
            }
            V::ExcClass(class) => Ok(V::Exc(Rc::new(Exc { class, args }))),
            V::AcmExit(name) => {
                let typ = match &args[0] {
                    V::ExcClass(class) => class.to_string(),
                    _ => "None".into(),
                };
                self.out.push_str(&format!("aexit {name} {typ}\n"));
                Ok(V::Done(Box::new(V::Bool(name.starts_with("suppress")))))
            }
            V::CmExit(name) => {
                let typ = match &args[0] {
                    V::ExcClass(class) => class.to_string(),
                    _ => "None".into(),
                };
                self.out.push_str(&format!("exit {name} {typ}\n"));
                Ok(V::Bool(name.starts_with("suppress")))
            }
            V::Builtin(name) => self.call_builtin(name, args, kwargs),
            _ => Err(err("TypeError", "object is not callable")),
        }
    }

    pub(super) fn call_method(
        &mut self,
        obj: &V,
        method: &str,
        args: Vec<V>,
        kwargs: Vec<(V, V)>,
    ) -> R<V> {
        match (obj, method) {
            (V::List(items), "append") => {
                items.borrow_mut().push(args[0].clone());
                Ok(V::None)
            }
            (V::Str(sep), "join") => {
                let parts: Vec<String> = self.items(&args[0])?.iter().map(to_str).collect();
                Ok(V::Str(parts.join(sep).into()))
            }
            (V::Str(text), "upper") => Ok(V::Str(text.to_uppercase().into())),
            (V::Gen(gen), "send") => match self.resume(gen, args[0].clone())? {
                Resumed::Yielded(value) => Ok(value),
                Resumed::Returned(_) => Err(err("StopIteration", "")),
            },
            (V::Instance(_) | V::Class(_) | V::Super(..), _) => {
                let func = self.getattr(obj, method)?;
                self.call(&func, args, kwargs)
            }
            _ => Err(err("TypeError", format!("no method {method}"))),
        }
    }

    pub(super) fn call_builtin(&mut self, name: &str, args: Vec<V>, kwargs: Vec<(V, V)>) -> R<V> {
        match name {
            "print" => {
                let sep = kwargs
                    .iter()
                    .find(|(k, _)| to_str(k) == "sep")
                    .map_or(" ".to_string(), |(_, v)| to_str(v));
                let line: Vec<String> = args.iter().map(to_str).collect();
                self.out.push_str(&line.join(&sep));
                self.out.push('\n');
                Ok(V::None)
            }
            "len" => Ok(V::Int(to_vec(&args[0])?.len() as i64)),
            "range" => {
                let (start, stop) = match args.as_slice() {
                    [V::Int(stop)] => (0, *stop),
                    [V::Int(start), V::Int(stop)] => (*start, *stop),
                    _ => return Err(err("TypeError", "range")),
                };
                let items = (start..stop).map(V::Int).collect();
                Ok(V::List(Rc::new(RefCell::new(items))))
            }
            "list" => Ok(V::List(Rc::new(RefCell::new(self.items(&args[0])?)))),
            "str" => Ok(V::Str(to_str(&args[0]).into())),
            "repr" => Ok(V::Str(repr(&args[0]).into())),
            "cm" => Ok(V::Cm(to_str(&args[0]).into())),
            "acm" => Ok(V::Acm(to_str(&args[0]).into())),
            "super" => match args.as_slice() {
                [V::Class(class), obj] => Ok(V::Super(class.clone(), Box::new(obj.clone()))),
                _ => Err(err("RuntimeError", "super(): no arguments")),
            },
            "next" => match &args[0] {
                V::Gen(gen) => match self.resume(gen, V::None)? {
                    Resumed::Yielded(value) => Ok(value),
                    Resumed::Returned(_) => Err(err("StopIteration", "")),
                },
                _ => Err(err("TypeError", "not an iterator")),
            },
            "run" => {
                let V::Gen(gen) = &args[0] else {
                    return Err(err("TypeError", "not a coroutine"));
                };
                loop {
                    if let Resumed::Returned(value) = self.resume(gen, V::None)? {
                        return Ok(value);
                    }
                }
            }
            "sleep0" => Ok(V::Iter(Rc::new(RefCell::new((vec![V::None], 0))))),
            _ => Err(err("NameError", name.to_string())),
        }
    }

    pub(super) fn call_function(
        &mut self,
        func: &Rc<Func>,
        args: Vec<V>,
        kwargs: Vec<(V, V)>,
    ) -> R<V> {
        let code = &func.code;
        let locals = bind_arguments(func, args, kwargs)?;
        let cells = fresh_cells(code, &locals, &func.closure);
        let mut frame = Frame::new(code.clone(), locals, cells);
        if code.is_generator_like() {
            let gen = Gen {
                frame: Some(frame),
                started: false,
            };
            return Ok(V::Gen(Rc::new(RefCell::new(gen))));
        }
        match self.run_frame(&mut frame)? {
            Halt::Return(value) => Ok(value),
            Halt::Yield(_) => panic!("a plain function yielded"),
        }
    }
}

/// Splits the trailing keyword values of a `CallKw`/`CallMethodKw` off the arguments.
pub(super) fn split_kwargs(
    code: &CodeObject,
    instr: Instr,
    mut args: Vec<V>,
) -> (Vec<V>, Vec<(V, V)>) {
    let names_idx = match instr {
        Instr::CallKw(_, idx) | Instr::CallMethodKw(_, idx) => idx,
        _ => return (args, Vec::new()),
    };
    let Const::Tuple(names) = &code.consts[names_idx as usize] else {
        panic!("keyword names");
    };
    let values = args.split_off(args.len() - names.len());
    (args, names.iter().map(const_value).zip(values).collect())
}

pub(super) fn make_function(stack: &mut Vec<V>, bits: u8) -> R<()> {
    let V::Code(code) = pop(stack) else {
        panic!("MakeFunction without code");
    };
    let closure = if bits & make_fn::CLOSURE != 0 {
        let V::Tuple(cells) = pop(stack) else {
            panic!("closure tuple");
        };
        cells
            .iter()
            .map(|c| match c {
                V::Cell(cell) => cell.clone(),
                _ => panic!("closure item"),
            })
            .collect()
    } else {
        Vec::new()
    };
    let kwdefaults = if bits & make_fn::KW_DEFAULTS != 0 {
        let V::Dict(d) = pop(stack) else {
            panic!("kwdefaults");
        };
        let pairs = d.borrow().clone();
        pairs
    } else {
        Vec::new()
    };
    let defaults = if bits & make_fn::DEFAULTS != 0 {
        to_vec(&pop(stack))?
    } else {
        Vec::new()
    };
    assert_eq!(closure.len(), code.freevars.len(), "closure size");
    stack.push(V::Func(Rc::new(Func {
        code,
        defaults,
        kwdefaults,
        closure,
    })));
    Ok(())
}

/// The cells of a new frame: fresh ones for `cellvars` (parameters copied in), then the
/// closure's.
pub(super) fn fresh_cells(code: &CodeObject, locals: &[Option<V>], closure: &[Cell]) -> Vec<Cell> {
    let mut cells: Vec<Cell> = code
        .cell_params
        .iter()
        .map(|param| {
            let value = param.and_then(|idx| locals[idx as usize].clone());
            Rc::new(RefCell::new(value))
        })
        .collect();
    cells.extend(closure.iter().cloned());
    cells
}

pub(super) fn bind_arguments(func: &Func, args: Vec<V>, kwargs: Vec<(V, V)>) -> R<Vec<Option<V>>> {
    let code = &func.code;
    let argcount = code.argcount as usize;
    let n_named = argcount + code.kwonlyargcount as usize;
    let mut locals: Vec<Option<V>> = vec![None; code.varnames.len()];
    let mut extra = Vec::new();
    for (idx, arg) in args.into_iter().enumerate() {
        if idx < argcount {
            locals[idx] = Some(arg);
        } else {
            extra.push(arg);
        }
    }
    let mut slot = n_named;
    if code.has_varargs {
        locals[slot] = Some(V::Tuple(Rc::new(extra)));
        slot += 1;
    } else if !extra.is_empty() {
        return Err(err("TypeError", "too many positional arguments"));
    }
    let kw_dict = Rc::new(RefCell::new(Vec::new()));
    for (key, value) in kwargs {
        let key_text = to_str(&key);
        match code.varnames[..n_named]
            .iter()
            .position(|v| **v == *key_text)
        {
            Some(idx) => locals[idx] = Some(value),
            None if code.has_varkw => dict_set(&kw_dict, key, value),
            None => return Err(err("TypeError", "unexpected keyword argument")),
        }
    }
    if code.has_varkw {
        locals[slot] = Some(V::Dict(kw_dict));
    }
    let first_default = argcount - func.defaults.len();
    for (idx, default) in func.defaults.iter().enumerate() {
        if locals[first_default + idx].is_none() {
            locals[first_default + idx] = Some(default.clone());
        }
    }
    for (key, value) in &func.kwdefaults {
        let key_text = to_str(key);
        if let Some(idx) = code.varnames.iter().position(|v| **v == *key_text) {
            if locals[idx].is_none() {
                locals[idx] = Some(value.clone());
            }
        }
    }
    if locals[..n_named].iter().any(Option::is_none) {
        return Err(err("TypeError", "missing argument"));
    }
    assert!(code.kind != CodeKind::Class);
    Ok(locals)
}
