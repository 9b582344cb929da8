//! Hashing consistent with equality, reproducing CPython's numeric hash (modulo 2**61 - 1)
//! and tuple hash (xxHash-style) so that set iteration order of numbers and tuples matches
//! CPython. Also `fast_eq`: equality for the kinds that need no apy code, used by dict and set
//! probes before falling back to `Vm::eq`.

use crate::vm::exception::{Exc, PResult};
use crate::vm::machine::Vm;
use crate::vm::value::Value;
use num_bigint::{BigInt, Sign};
use num_traits::{ToPrimitive, Zero};
use std::cmp::Ordering;

const MODULUS: u64 = (1 << 61) - 1;
const HASH_BITS: i32 = 61;
const HASH_INF: i64 = 314_159;

pub fn hash_int(n: i64) -> i64 {
    let m = (n as i128).rem_euclid(MODULUS as i128) as i64;
    let res = if n < 0 {
        -(((-(n as i128)) % MODULUS as i128) as i64)
    } else {
        m
    };
    if res == -1 {
        -2
    } else {
        res
    }
}

pub fn hash_bigint(n: &BigInt) -> i64 {
    let modulus = BigInt::from(MODULUS);
    let abs = if n.sign() == Sign::Minus {
        -n
    } else {
        n.clone()
    };
    let rem = (abs % modulus).to_i64().unwrap_or(0);
    let res = if n.sign() == Sign::Minus { -rem } else { rem };
    if res == -1 {
        -2
    } else {
        res
    }
}

/// `frexp`: `v = m * 2**e` with `0.5 <= |m| < 1`.
fn frexp(v: f64) -> (f64, i32) {
    if v == 0.0 || !v.is_finite() {
        return (v, 0);
    }
    let bits = v.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    if exp == 0 {
        // Subnormal: scale up first.
        let (m, e) = frexp(v * (1u64 << 54) as f64);
        return (m, e - 54);
    }
    let mantissa_bits = (bits & !(0x7ffu64 << 52)) | (1022u64 << 52);
    (f64::from_bits(mantissa_bits), exp - 1022)
}

pub fn hash_float(v: f64) -> i64 {
    if v.is_nan() {
        return 0;
    }
    if v.is_infinite() {
        return if v > 0.0 { HASH_INF } else { -HASH_INF };
    }
    if v.fract() == 0.0 && v.abs() < 9.2e18 {
        return hash_int(v as i64);
    }
    let (mut m, mut e) = frexp(v);
    let mut sign: i64 = 1;
    if m < 0.0 {
        sign = -1;
        m = -m;
    }
    let mut x: u64 = 0;
    while m != 0.0 {
        x = ((x << 28) & MODULUS) | x >> (HASH_BITS - 28);
        m *= 268_435_456.0;
        e -= 28;
        let y = m as u64;
        m -= y as f64;
        x += y;
        if x >= MODULUS {
            x -= MODULUS;
        }
    }
    let e = if e >= 0 {
        e % HASH_BITS
    } else {
        HASH_BITS - 1 - ((-1 - e) % HASH_BITS)
    };
    x = ((x << e) & MODULUS) | x >> (HASH_BITS - e);
    let res = (x as i64).wrapping_mul(sign);
    if res == -1 {
        -2
    } else {
        res
    }
}

const XXPRIME_1: u64 = 11_400_714_785_074_694_791;
const XXPRIME_2: u64 = 14_029_467_366_897_019_727;
const XXPRIME_5: u64 = 2_870_177_450_012_600_261;

/// CPython's tuple hash over already computed item hashes.
pub fn hash_tuple(hashes: impl ExactSizeIterator<Item = i64>) -> i64 {
    let len = hashes.len() as u64;
    let mut acc = XXPRIME_5;
    for lane in hashes {
        acc = acc.wrapping_add((lane as u64).wrapping_mul(XXPRIME_2));
        acc = acc.rotate_left(31);
        acc = acc.wrapping_mul(XXPRIME_1);
    }
    acc = acc.wrapping_add(len ^ (XXPRIME_5 ^ 3_527_539));
    if acc == u64::MAX {
        return 1_546_275_796;
    }
    acc as i64
}

/// Hash of a frozenset, CPython's algorithm over the member hashes.
pub fn hash_frozenset(hashes: &[i64]) -> i64 {
    fn shuffle(h: u64) -> u64 {
        ((h ^ 89_869_747) ^ (h << 16)).wrapping_mul(3_644_798_167)
    }
    let mut hash: u64 = 0;
    for &h in hashes {
        hash ^= shuffle(h as u64);
    }
    if hashes.len() % 2 == 1 {
        hash ^= shuffle(u64::MAX);
    }
    hash ^= ((hashes.len() as u64).wrapping_add(1)).wrapping_mul(1_927_868_237);
    hash ^= (hash >> 11) ^ (hash >> 25);
    hash = hash.wrapping_mul(69_069).wrapping_add(907_133_923);
    if hash == u64::MAX {
        hash = 590_923_713;
    }
    hash as i64
}

/// A number as one of the three numeric shapes, for mixed comparisons.
pub enum Num<'a> {
    Int(i64),
    Big(&'a BigInt),
    Float(f64),
}

pub fn as_num(v: &Value) -> Option<Num<'_>> {
    match v {
        Value::Int(i) => Some(Num::Int(*i)),
        Value::Bool(b) => Some(Num::Int(b.get() as i64)),
        Value::BigInt(b) => Some(Num::Big(b)),
        Value::Float(f) => Some(Num::Float(f.get())),
        _ => None,
    }
}

/// Compares an integer with a float exactly; `None` when the float is NaN.
fn cmp_big_float(big: &BigInt, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    if f.is_infinite() {
        return Some(if f > 0.0 {
            Ordering::Less
        } else {
            Ordering::Greater
        });
    }
    let floor = f.floor();
    let fbig = float_to_bigint(floor)?;
    match big.cmp(&fbig) {
        Ordering::Equal if f > floor => Some(Ordering::Less),
        ord => Some(ord),
    }
}

pub fn float_to_bigint(f: f64) -> Option<BigInt> {
    use num_traits::FromPrimitive;
    BigInt::from_f64(f)
}

/// Exact comparison of two numbers; `None` if unordered (NaN).
pub fn num_cmp(a: &Num, b: &Num) -> Option<Ordering> {
    match (a, b) {
        (Num::Int(x), Num::Int(y)) => Some(x.cmp(y)),
        (Num::Float(x), Num::Float(y)) => x.partial_cmp(y),
        (Num::Big(x), Num::Big(y)) => Some(x.cmp(y)),
        (Num::Int(x), Num::Big(y)) => Some(BigInt::from(*x).cmp(y)),
        (Num::Big(x), Num::Int(y)) => Some((*x).cmp(&BigInt::from(*y))),
        (Num::Int(x), Num::Float(y)) => {
            if x.unsigned_abs() < (1 << 53) {
                (*x as f64).partial_cmp(y)
            } else {
                cmp_big_float(&BigInt::from(*x), *y)
            }
        }
        (Num::Float(x), Num::Int(_)) | (Num::Float(x), Num::Big(_)) => {
            num_cmp(b, &Num::Float(*x)).map(Ordering::reverse)
        }
        (Num::Big(x), Num::Float(y)) => cmp_big_float(x, *y),
    }
}

/// Equality that needs no apy code, or `None` when it does (instances, containers that may
/// hold instances).
pub fn fast_eq(a: &Value, b: &Value) -> Option<bool> {
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => {
            Some(std::rc::Rc::ptr_eq(x, y) || x.as_str() == y.as_str())
        }
        (Value::Int(x), Value::Int(y)) => Some(x == y),
        (Value::None, Value::None) => Some(true),
        (Value::Bytes(x), Value::Bytes(y)) => Some(x.data == y.data),
        (Value::Tuple(x), Value::Tuple(y)) => {
            if x.items.len() != y.items.len() {
                return Some(false);
            }
            for (p, q) in x.items.iter().zip(y.items.iter()) {
                if p.is(q) {
                    continue;
                }
                if !fast_eq(p, q)? {
                    return Some(false);
                }
            }
            Some(true)
        }
        _ => {
            if let (Some(x), Some(y)) = (as_num(a), as_num(b)) {
                return Some(num_cmp(&x, &y) == Some(Ordering::Equal));
            }
            if needs_vm(a) || needs_vm(b) {
                return None;
            }
            if std::mem::discriminant(a) != std::mem::discriminant(b) {
                return Some(false);
            }
            Some(a.is(b))
        }
    }
}

/// Kinds whose equality is not identity or may run apy code.
fn needs_vm(v: &Value) -> bool {
    matches!(
        v,
        Value::Instance(_)
            | Value::List(_)
            | Value::Tuple(_)
            | Value::Dict(_)
            | Value::Set(_)
            | Value::Range(_)
            | Value::DictView(_)
            | Value::Method(_)
            | Value::Slice(_)
    )
}

impl Vm {
    /// `hash(v)`.
    pub fn hash(&mut self, v: &Value) -> PResult<i64> {
        Ok(match v {
            Value::Str(s) => s.hash(),
            Value::Int(i) => hash_int(*i),
            Value::Bool(b) => b.get() as i64,
            Value::Float(f) => hash_float(f.get()),
            Value::BigInt(b) => hash_bigint(b),
            Value::None => 0x5f3759df,
            Value::Tuple(t) => {
                let mut hashes = Vec::with_capacity(t.items.len());
                for item in t.items.iter() {
                    hashes.push(self.hash(item)?);
                }
                hash_tuple(hashes.into_iter())
            }
            Value::Bytes(b) => {
                let s = crate::vm::object::str::PyStr::from_string(
                    b.data.iter().map(|&c| c as char).collect(),
                );
                s.hash()
            }
            Value::Set(s) if s.frozen => {
                let hashes: Vec<i64> = s.entries().iter().map(|(h, _)| *h).collect();
                hash_frozenset(&hashes)
            }
            Value::Range(r) => {
                let parts = [r.start, r.stop, r.step].map(crate::vm::object::misc::int_value);
                let mut hashes = Vec::with_capacity(3);
                for p in &parts {
                    hashes.push(self.hash(p)?);
                }
                hash_tuple(hashes.into_iter())
            }
            Value::Method(m) => {
                let a = self.hash(&m.obj)?;
                let b = self.hash(&m.func)?;
                a ^ b
            }
            Value::Instance(_) => return self.hash_instance(v),
            Value::List(_)
            | Value::Dict(_)
            | Value::Set(_)
            | Value::DictView(_)
            | Value::Slice(_) => {
                return Err(Exc::type_error(format!(
                    "unhashable type: '{}'",
                    self.type_name(v)
                )))
            }
            _ => {
                let id = v.id();
                id.rotate_right(4)
            }
        })
    }

    fn hash_instance(&mut self, v: &Value) -> PResult<i64> {
        let class = self.class_of(v);
        match class.lookup_special("__hash__") {
            Some(Value::None) => Err(Exc::type_error(format!(
                "unhashable type: '{}'",
                class.name()
            ))),
            Some(func @ Value::Function(_)) => {
                let res = self.call(&func, std::slice::from_ref(v))?;
                match res {
                    Value::Int(i) => Ok(if i == -1 { -2 } else { i }),
                    Value::Bool(b) => Ok(b.get() as i64),
                    Value::BigInt(b) => Ok(hash_bigint(&b)),
                    _ => Err(Exc::type_error("__hash__ method should return an integer")),
                }
            }
            _ => {
                let id = v.id();
                Ok(id.rotate_right(4))
            }
        }
    }
}

pub fn is_zero(v: &BigInt) -> bool {
    v.is_zero()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_hashes_match_cpython() {
        assert_eq!(hash_int(-1), -2);
        assert_eq!(hash_int(1 << 61), 1);
        assert_eq!(hash_float(1.5), 1_152_921_504_606_846_977);
        assert_eq!(hash_float(-2.5), -1_152_921_504_606_846_978);
        assert_eq!(hash_float(0.1), 230_584_300_921_369_408);
        assert_eq!(
            hash_tuple([1i64, 2].into_iter()),
            -3_550_055_125_485_641_917
        );
    }
}
