//! `UnpackSequence` and `UnpackEx` (`a, b = v`, `a, *rest = v`): the values go onto the
//! frame's stack last first, with CPython's messages for a count that does not match.

use crate::vm::exception::{Exc, PResult};
use crate::vm::frame::Frame;
use crate::vm::machine::Vm;
use crate::vm::value::Value;

impl Vm {
    pub(crate) fn op_unpack(&mut self, cur: &mut Frame, v: Value, n: usize) -> PResult<()> {
        let items = match &v {
            Value::Tuple(t) => t.items.to_vec(),
            Value::List(l) => l.snapshot(),
            _ => self.collect_unpack(&v)?,
        };
        if items.len() < n {
            return Err(Exc::value_error(format!(
                "not enough values to unpack (expected {n}, got {})",
                items.len()
            )));
        }
        if items.len() > n {
            return Err(Exc::value_error(format!(
                "too many values to unpack (expected {n})"
            )));
        }
        cur.stack.extend(items.into_iter().rev());
        Ok(())
    }

    pub(crate) fn op_unpack_ex(
        &mut self,
        cur: &mut Frame,
        v: Value,
        before: usize,
        after: usize,
    ) -> PResult<()> {
        let mut items = self.collect_unpack(&v)?;
        if items.len() < before + after {
            return Err(Exc::value_error(format!(
                "not enough values to unpack (expected at least {}, got {})",
                before + after,
                items.len()
            )));
        }
        let tail = items.split_off(items.len() - after);
        let middle = items.split_off(before);
        cur.stack.extend(tail.into_iter().rev());
        cur.push(Value::list(middle));
        cur.stack.extend(items.into_iter().rev());
        Ok(())
    }

    fn collect_unpack(&mut self, v: &Value) -> PResult<Vec<Value>> {
        match self.iter(v) {
            Ok(it) => {
                let mut res = Vec::new();
                while let Some(item) = self.next(&it)? {
                    res.push(item);
                }
                Ok(res)
            }
            Err(_) => Err(Exc::type_error(format!(
                "cannot unpack non-iterable {} object",
                self.type_name(v)
            ))),
        }
    }
}
