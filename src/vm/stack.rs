//! `push`: `Vec::push` that is always inlined. The dispatch loop is one very large function,
//! and LLVM stops inlining the standard `push` into it and into the call path: each push of a
//! value, a frame or a pooled frame became a call of its own (~17 instructions a frame push,
//! a value loaded before the call kept in two halves across it). Here the check for room is
//! inline and only growing is a call.

/// Appends `item` to `vec`, growing it (out of line) when it is full.
#[inline(always)]
pub fn push<T>(vec: &mut Vec<T>, item: T) {
    let len = vec.len();
    if len == vec.capacity() {
        grow(vec);
    }
    // SAFETY: `len < capacity` now (`grow` reserved room for at least one more), so the slot
    // at `len` lies inside the allocation and holds no initialized value; it is written once,
    // and only then is the length raised to cover it. This is what `Vec::push` does after its
    // own check.
    unsafe {
        vec.as_mut_ptr().add(len).write(item);
        vec.set_len(len + 1);
    }
}

#[cold]
#[inline(never)]
fn grow<T>(vec: &mut Vec<T>) {
    vec.reserve(1);
}

#[cfg(test)]
mod tests {
    use super::push;

    #[test]
    fn pushes_past_the_capacity_and_keeps_the_order() {
        let mut v: Vec<String> = Vec::new();
        for i in 0..100 {
            push(&mut v, i.to_string());
        }
        assert_eq!(v.len(), 100);
        assert!(v.iter().enumerate().all(|(i, s)| *s == i.to_string()));
        let mut w: Vec<u8> = Vec::with_capacity(2);
        push(&mut w, 1);
        push(&mut w, 2);
        push(&mut w, 3);
        assert_eq!(w, [1, 2, 3]);
    }
}
