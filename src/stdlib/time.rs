//! The `time` module. Every function reads the VM's one clock (`Vm::clock`), so the virtual
//! clock (`VmOptions::virtual_time`) makes time start at zero and `time.sleep` advance it.

use crate::vm::exception::{Exc, PResult};
use crate::vm::methods::{arg, check_count};
use crate::vm::object::function::Args;
use crate::vm::value::Value;
use crate::vm::Vm;

/// How `time.sleep` behaves inside `asyncio.to_thread`: asyncio installs `hook`, and sets
/// `in_thread` while a green thread's function runs, so that a sleep there suspends only that
/// thread (the hook lets the event loop run until the sleep is over) instead of blocking
/// everything as a sleep elsewhere does.
#[derive(Default)]
pub struct ThreadSleep {
    pub hook: Option<Value>,
    pub in_thread: bool,
}

/// Wall-clock seconds at the VM's start, so `time.time()` looks like an epoch time under the
/// real clock.
fn epoch_offset(vm: &Vm) -> f64 {
    if vm.clock.is_virtual() {
        return 0.0;
    }
    thread_local! {
        static START: f64 = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
    }
    START.with(|s| *s)
}

pub fn init(vm: &mut Vm) -> PResult<Value> {
    let (module, d) = vm.new_module("time");
    let table: &[(&'static str, crate::vm::object::function::NativeFn)] = &[
        ("time", time),
        ("perf_counter", monotonic),
        ("monotonic", monotonic),
        ("process_time", monotonic),
        ("sleep", sleep),
        ("time_ns", time_ns),
        ("perf_counter_ns", monotonic_ns),
        ("monotonic_ns", monotonic_ns),
    ];
    crate::vm::methods::add_functions(&d, table);
    Ok(module)
}

fn time(vm: &mut Vm, _args: Args) -> PResult<Value> {
    Ok(Value::float(epoch_offset(vm) + vm.clock.now()))
}

fn time_ns(vm: &mut Vm, _args: Args) -> PResult<Value> {
    Ok(Value::Int(
        ((epoch_offset(vm) + vm.clock.now()) * 1e9) as i64,
    ))
}

fn monotonic(vm: &mut Vm, _args: Args) -> PResult<Value> {
    Ok(Value::float(vm.clock.now()))
}

fn monotonic_ns(vm: &mut Vm, _args: Args) -> PResult<Value> {
    Ok(Value::Int((vm.clock.now() * 1e9) as i64))
}

fn sleep(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("sleep", &args, 0, 1, 1)?;
    let secs = match arg(&args, 0)? {
        Value::Int(i) => *i as f64,
        Value::Float(f) => f.get(),
        Value::Bool(b) => b.get() as i64 as f64,
        other => {
            return Err(Exc::type_error(format!(
                "'{}' object cannot be interpreted as an integer",
                vm.type_name(other)
            )))
        }
    };
    if secs < 0.0 || secs.is_nan() {
        return Err(Exc::value_error("sleep length must be non-negative"));
    }
    if vm.can_switch() {
        vm.request_switch(Value::float(secs));
        return Ok(Value::None);
    }
    let state = vm.extension(ThreadSleep::default);
    if state.in_thread {
        if let Some(hook) = state.hook.clone() {
            vm.call(&hook, &[Value::float(secs)])?;
            return Ok(Value::None);
        }
    }
    vm.flush_out();
    vm.clock.sleep(secs);
    vm.check_interrupt()?;
    Ok(Value::None)
}
