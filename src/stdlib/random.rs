//! The core of CPython's `random` module, bit for bit: the MT19937 generator with CPython's
//! seeding (ints through `init_by_array`, str and bytes through SHA-512 as in seed version
//! 2), `random()`, `getrandbits`, `_randbelow`, and the index arithmetic of `randrange`,
//! `choice`, `shuffle`, `sample` and `choices`, plus `uniform`, `gauss` and
//! `normalvariate`. Everything works on numbers and indices; the module object, argument
//! parsing and the lists of values being shuffled or sampled belong to the VM side.

use std::collections::hash_map::RandomState;
use std::collections::HashSet;
use std::hash::{BuildHasher, Hasher};

use num_bigint::{BigInt, BigUint, Sign};
use num_traits::{One, Signed, ToPrimitive, Zero};

const N: usize = 624;
const M: usize = 397;
const MATRIX_A: u32 = 0x9908_b0df;
const UPPER_MASK: u32 = 0x8000_0000;
/// The most bits `getrandbits` will produce at once (a 1 GiB int).
const MAX_BITS: u64 = 1 << 33;
const LOWER_MASK: u32 = 0x7fff_ffff;

/// The Python exception class of a [`RandomError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RandomErrorKind {
    ValueError,
    TypeError,
    IndexError,
    ZeroDivisionError,
    MemoryError,
}

/// An error raised by a `random` function, with CPython's message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RandomError {
    pub kind: RandomErrorKind,
    pub message: String,
}

fn float_division_by_zero() -> RandomError {
    RandomError {
        kind: RandomErrorKind::ZeroDivisionError,
        message: "float division by zero".into(),
    }
}

fn value_error(message: impl Into<String>) -> RandomError {
    RandomError {
        kind: RandomErrorKind::ValueError,
        message: message.into(),
    }
}

/// The generator state of one `random.Random` instance (the module functions share one).
#[derive(Clone)]
pub struct MersenneTwister {
    state: [u32; N],
    index: usize,
    /// The second value of the last `gauss` pair, handed out by the next call.
    gauss_next: Option<f64>,
}

impl MersenneTwister {
    /// A generator seeded from the operating system, like `random.Random()`.
    pub fn new() -> MersenneTwister {
        let mut res = MersenneTwister::seeded_by_words(&[0]);
        res.seed_from_os();
        res
    }

    /// A generator seeded with the int `seed`, like `random.Random(seed)`.
    pub fn from_seed(seed: i64) -> MersenneTwister {
        let mut res = MersenneTwister::seeded_by_words(&[0]);
        res.seed_i64(seed);
        res
    }

    fn seeded_by_words(key: &[u32]) -> MersenneTwister {
        let mut res = MersenneTwister {
            state: [0; N],
            index: N,
            gauss_next: None,
        };
        res.init_by_array(key);
        res
    }

    fn init_genrand(&mut self, seed: u32) {
        self.state[0] = seed;
        for i in 1..N {
            let prev = self.state[i - 1];
            self.state[i] = 1_812_433_253u32
                .wrapping_mul(prev ^ (prev >> 30))
                .wrapping_add(i as u32);
        }
        self.index = N;
    }

    /// The reference `init_by_array`, which CPython uses for every seed.
    fn init_by_array(&mut self, key: &[u32]) {
        debug_assert!(!key.is_empty());
        self.init_genrand(19_650_218);
        let mt = &mut self.state;
        let (mut i, mut j) = (1usize, 0usize);
        for _ in 0..N.max(key.len()) {
            let prev = mt[i - 1];
            mt[i] = (mt[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_664_525))
                .wrapping_add(key.get(j).copied().unwrap_or(0))
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= N {
                mt[0] = mt[N - 1];
                i = 1;
            }
            if j >= key.len() {
                j = 0;
            }
        }
        for _ in 0..N - 1 {
            let prev = mt[i - 1];
            mt[i] =
                (mt[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_566_083_941)).wrapping_sub(i as u32);
            i += 1;
            if i >= N {
                mt[0] = mt[N - 1];
                i = 1;
            }
        }
        mt[0] = 0x8000_0000;
        self.gauss_next = None;
    }

    /// `seed(n)` for an int: its absolute value, as 32-bit words from the least significant.
    pub fn seed_int(&mut self, seed: &BigInt) {
        let mut key = seed.magnitude().to_u32_digits();
        if key.is_empty() {
            key.push(0);
        }
        self.init_by_array(&key);
    }

    pub fn seed_i64(&mut self, seed: i64) {
        let magnitude = seed.unsigned_abs();
        let low = magnitude as u32;
        let high = (magnitude >> 32) as u32;
        if high == 0 {
            self.init_by_array(&[low]);
        } else {
            self.init_by_array(&[low, high]);
        }
    }

    /// `seed(x)` for any other hashable `x` (a float, say): CPython seeds with `hash(x)`
    /// read as an unsigned machine word.
    pub fn seed_hash(&mut self, hash: i64) {
        let word = hash as u64;
        self.seed_int(&BigInt::from(word));
    }

    /// `seed(s)` for a str (version 2): the int whose big-endian bytes are the UTF-8 of `s`
    /// followed by their SHA-512 digest.
    pub fn seed_str(&mut self, seed: &str) {
        self.seed_bytes(seed.as_bytes());
    }

    /// `seed(b)` for bytes or bytearray (version 2).
    pub fn seed_bytes(&mut self, seed: &[u8]) {
        let mut all = seed.to_vec();
        all.extend_from_slice(&sha512(seed));
        let int = BigInt::from_bytes_be(Sign::Plus, &all);
        self.seed_int(&int);
    }

    /// `seed()` / `seed(None)`: fresh entropy. The standard library's hash keys are random
    /// per process; mixing them with the clock is plenty for a non-cryptographic generator.
    pub fn seed_from_os(&mut self) {
        let mut key = Vec::with_capacity(8);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| elapsed.as_nanos())
            .unwrap_or(0);
        for part in 0..3u64 {
            let mut hasher = RandomState::new().build_hasher();
            hasher.write_u128(nanos);
            hasher.write_u64(part);
            hasher.write_u32(std::process::id());
            let word = hasher.finish();
            key.push(word as u32);
            key.push((word >> 32) as u32);
        }
        self.init_by_array(&key);
    }

    /// The next 32 random bits (`genrand_uint32`).
    pub fn next_u32(&mut self) -> u32 {
        if self.index >= N {
            self.twist();
        }
        let mut y = self.state[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    fn twist(&mut self) {
        let mt = &mut self.state;
        let mag = |y: u32| if y & 1 == 1 { MATRIX_A } else { 0 };
        for kk in 0..N {
            let y = (mt[kk] & UPPER_MASK) | (mt[(kk + 1) % N] & LOWER_MASK);
            mt[kk] = mt[(kk + M) % N] ^ (y >> 1) ^ mag(y);
        }
        self.index = 0;
    }

    /// `random()`: a float in [0, 1) with 53 random bits.
    pub fn random(&mut self) -> f64 {
        let a = self.next_u32() >> 5;
        let b = self.next_u32() >> 6;
        (a as f64 * 67_108_864.0 + b as f64) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// `getrandbits(k)` for `k <= 128`, as CPython assembles it: 32-bit words from the least
    /// significant, the last one shifted right to drop its surplus low bits.
    pub fn getrandbits_u128(&mut self, k: u32) -> u128 {
        debug_assert!(k <= 128);
        if k == 0 {
            return 0;
        }
        if k <= 32 {
            return u128::from(self.next_u32() >> (32 - k));
        }
        let mut res = 0u128;
        let mut remaining = k;
        let mut shift = 0;
        while remaining > 0 {
            let mut word = self.next_u32();
            if remaining < 32 {
                word >>= 32 - remaining;
            }
            res |= u128::from(word) << shift;
            shift += 32;
            remaining = remaining.saturating_sub(32);
        }
        res
    }

    /// `getrandbits(k)` for any `k`; the caller rejects negative `k` with
    /// "number of bits must be non-negative". A `k` whose result could not fit in memory
    /// fails with a `MemoryError` instead of aborting the process.
    pub fn getrandbits(&mut self, k: u64) -> Result<BigInt, RandomError> {
        if k > MAX_BITS {
            return Err(RandomError {
                kind: RandomErrorKind::MemoryError,
                message: String::new(),
            });
        }
        Ok(self.random_bits(k))
    }

    fn random_bits(&mut self, k: u64) -> BigInt {
        if k <= 128 {
            return BigInt::from(self.getrandbits_u128(k as u32));
        }
        let n_words = (k - 1) / 32 + 1;
        let mut words = Vec::with_capacity(usize::try_from(n_words).unwrap_or(0));
        let mut remaining = k;
        for _ in 0..n_words {
            let mut word = self.next_u32();
            if remaining < 32 {
                word >>= 32 - remaining;
            }
            words.push(word);
            remaining = remaining.saturating_sub(32);
        }
        BigInt::from_biguint(Sign::Plus, BigUint::new(words))
    }

    /// `_randbelow(n)`: a uniform int in `[0, n)` by rejection sampling on `n.bit_length()`
    /// random bits. `n == 0` returns 0 (CPython never asks for it).
    pub fn randbelow(&mut self, n: u128) -> u128 {
        if n == 0 {
            return 0;
        }
        let k = 128 - n.leading_zeros();
        loop {
            let r = self.getrandbits_u128(k);
            if r < n {
                return r;
            }
        }
    }

    /// `_randbelow(n)` for an index below `n`.
    pub fn randbelow_usize(&mut self, n: usize) -> usize {
        // The result is below n, so it fits back into a usize.
        self.randbelow(n as u128) as usize
    }

    /// `_randbelow(n)` for a positive BigInt `n`.
    pub fn randbelow_big(&mut self, n: &BigInt) -> BigInt {
        if let Some(small) = n.to_u128() {
            return BigInt::from(self.randbelow(small));
        }
        let k = n.bits();
        loop {
            let r = self.random_bits(k);
            if r < *n {
                return r;
            }
        }
    }

    /// `randrange(start, stop, step)` for ints that fit in an i64; `stop == None` is the
    /// one-argument form. Errors carry CPython 3.11's messages.
    pub fn randrange(
        &mut self,
        start: i64,
        stop: Option<i64>,
        step: i64,
    ) -> Result<i64, RandomError> {
        let res = self.randrange_i128(i128::from(start), stop.map(i128::from), i128::from(step))?;
        // The result lies in the range, whose ends both fit in an i64.
        Ok(res as i64)
    }

    fn randrange_i128(
        &mut self,
        start: i128,
        stop: Option<i128>,
        step: i128,
    ) -> Result<i128, RandomError> {
        let Some(stop) = stop else {
            if step != 1 {
                return Err(RandomError {
                    kind: RandomErrorKind::TypeError,
                    message: "Missing a non-None stop argument".into(),
                });
            }
            if start > 0 {
                return Ok(self.randbelow(start as u128) as i128);
            }
            return Err(value_error("empty range for randrange()"));
        };
        let width = stop - start;
        if step == 1 {
            if width > 0 {
                return Ok(start + self.randbelow(width as u128) as i128);
            }
            return Err(value_error(format!(
                "empty range for randrange() ({start}, {stop}, {width})"
            )));
        }
        let n = match step {
            0 => return Err(value_error("zero step for randrange()")),
            _ if step > 0 => floor_div_i128(width + step - 1, step),
            _ => floor_div_i128(width + step + 1, step),
        };
        if n <= 0 {
            return Err(value_error("empty range for randrange()"));
        }
        Ok(start + step * self.randbelow(n as u128) as i128)
    }

    /// `randint(a, b)`: `randrange(a, b + 1)`.
    pub fn randint(&mut self, a: i64, b: i64) -> Result<i64, RandomError> {
        let res = self.randrange_i128(i128::from(a), Some(i128::from(b) + 1), 1)?;
        Ok(res as i64)
    }

    /// `randrange` over arbitrary ints.
    pub fn randrange_big(
        &mut self,
        start: &BigInt,
        stop: Option<&BigInt>,
        step: &BigInt,
    ) -> Result<BigInt, RandomError> {
        let Some(stop) = stop else {
            if !step.is_one() {
                return Err(RandomError {
                    kind: RandomErrorKind::TypeError,
                    message: "Missing a non-None stop argument".into(),
                });
            }
            if start.is_positive() {
                return Ok(self.randbelow_big(start));
            }
            return Err(value_error("empty range for randrange()"));
        };
        let width = stop - start;
        if step.is_one() {
            if width.is_positive() {
                return Ok(start + self.randbelow_big(&width));
            }
            return Err(value_error(format!(
                "empty range for randrange() ({start}, {stop}, {width})"
            )));
        }
        let n = if step.is_zero() {
            return Err(value_error("zero step for randrange()"));
        } else if step.is_positive() {
            floor_div(&(&width + step - 1), step)
        } else {
            floor_div(&(&width + step + 1), step)
        };
        if !n.is_positive() {
            return Err(value_error("empty range for randrange()"));
        }
        Ok(start + step * self.randbelow_big(&n))
    }

    /// `randint(a, b)` over arbitrary ints.
    pub fn randint_big(&mut self, a: &BigInt, b: &BigInt) -> Result<BigInt, RandomError> {
        self.randrange_big(a, Some(&(b + 1)), &BigInt::one())
    }

    /// The index `choice(seq)` picks from a sequence of length `n`.
    pub fn choice_index(&mut self, n: usize) -> Result<usize, RandomError> {
        if n == 0 {
            return Err(RandomError {
                kind: RandomErrorKind::IndexError,
                message: "Cannot choose from an empty sequence".into(),
            });
        }
        Ok(self.randbelow_usize(n))
    }

    /// `shuffle(x)` in place.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for (i, j) in self.shuffle_swaps(items.len()) {
            items.swap(i, j);
        }
    }

    /// The swaps `shuffle` makes on a list of length `n`, in order.
    pub fn shuffle_swaps(&mut self, n: usize) -> Vec<(usize, usize)> {
        (1..n)
            .rev()
            .map(|i| (i, self.randbelow_usize(i + 1)))
            .collect()
    }

    /// The population indices `sample(population, k)` picks, in selection order, for a
    /// population of length `n`. CPython keeps a pool of candidates when the population is
    /// small next to a set of `k` picks, and otherwise redraws until it finds a new index.
    pub fn sample_indices(&mut self, n: usize, k: i64) -> Result<Vec<usize>, RandomError> {
        let k = usize::try_from(k)
            .ok()
            .filter(|k| *k <= n)
            .ok_or_else(|| value_error("Sample larger than population or is negative"))?;
        let mut setsize: u128 = 21;
        if k > 5 {
            // CPython computes the exponent in floating point: ceil(log(3k) / log(4)).
            let exponent = ((k as f64 * 3.0).ln() / 4f64.ln()).ceil() as u32;
            setsize += 4u128.saturating_pow(exponent);
        }
        let mut res = Vec::with_capacity(k);
        if n as u128 <= setsize {
            let mut pool: Vec<usize> = (0..n).collect();
            for i in 0..k {
                let j = self.randbelow_usize(n - i);
                res.push(pool[j]);
                pool[j] = pool[n - i - 1];
            }
        } else {
            let mut selected = HashSet::with_capacity(k);
            for _ in 0..k {
                let mut j = self.randbelow_usize(n);
                while selected.contains(&j) {
                    j = self.randbelow_usize(n);
                }
                selected.insert(j);
                res.push(j);
            }
        }
        Ok(res)
    }

    /// The indices `choices(population, k=k)` picks without weights: `floor(random() * n)`.
    /// For an empty population this is index 0, which the caller's indexing rejects with
    /// the sequence's own IndexError, as in CPython.
    pub fn choices_indices(&mut self, n: usize, k: usize) -> Vec<usize> {
        let n_float = n as f64;
        (0..k)
            .map(|_| (self.random() * n_float).floor() as usize)
            .collect()
    }

    /// The indices `choices(population, cum_weights=..., k=k)` picks: a right bisection of
    /// `random() * total` into the cumulative weights (for `weights=`, pass the running
    /// sums from [`cumulative_weights`]). `n` is the population length.
    pub fn choices_weighted(
        &mut self,
        n: usize,
        cum_weights: &[f64],
        k: usize,
    ) -> Result<Vec<usize>, RandomError> {
        if cum_weights.len() != n {
            return Err(value_error(
                "The number of weights does not match the population",
            ));
        }
        let Some(&total) = cum_weights.last() else {
            return Err(RandomError {
                kind: RandomErrorKind::IndexError,
                message: "list index out of range".into(),
            });
        };
        if total <= 0.0 {
            return Err(value_error("Total of weights must be greater than zero"));
        }
        if !total.is_finite() {
            return Err(value_error("Total of weights must be finite"));
        }
        let hi = n - 1;
        let res = (0..k)
            .map(|_| {
                let x = self.random() * total;
                bisect_right(cum_weights.get(..hi).unwrap_or(&[]), x)
            })
            .collect();
        Ok(res)
    }

    /// `uniform(a, b)`: `a + (b - a) * random()`.
    pub fn uniform(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.random()
    }

    /// `gauss(mu, sigma)`: Box-Muller, handing out the second value of each pair next time.
    pub fn gauss(&mut self, mu: f64, sigma: f64) -> f64 {
        let z = match self.gauss_next.take() {
            Some(z) => z,
            None => {
                let x2pi = self.random() * std::f64::consts::TAU;
                let g2rad = (-2.0 * (1.0 - self.random()).ln()).sqrt();
                self.gauss_next = Some(x2pi.sin() * g2rad);
                x2pi.cos() * g2rad
            }
        };
        mu + z * sigma
    }

    /// `randbytes(n)`: the bytes of `getrandbits(8 * n)`, least significant first.
    pub fn randbytes(&mut self, n: usize) -> Result<Vec<u8>, RandomError> {
        let bits = self.getrandbits((n as u64).saturating_mul(8))?;
        let mut res = bits.magnitude().to_bytes_le();
        res.resize(n, 0);
        Ok(res)
    }

    /// `expovariate(lambd)`.
    pub fn expovariate(&mut self, lambd: f64) -> Result<f64, RandomError> {
        let u = self.random();
        if lambd == 0.0 {
            return Err(float_division_by_zero());
        }
        Ok(-(1.0 - u).ln() / lambd)
    }

    /// `triangular(low, high, mode)`; `mode == None` is the midpoint.
    pub fn triangular(&mut self, low: f64, high: f64, mode: Option<f64>) -> f64 {
        let mut u = self.random();
        // CPython returns `low` when `high - low` is zero (its ZeroDivisionError path).
        if high - low == 0.0 && mode.is_some() {
            return low;
        }
        let mut c = mode.map_or(0.5, |mode| (mode - low) / (high - low));
        let (mut low, mut high) = (low, high);
        if u > c {
            u = 1.0 - u;
            c = 1.0 - c;
            std::mem::swap(&mut low, &mut high);
        }
        low + (high - low) * (u * c).sqrt()
    }

    /// `lognormvariate(mu, sigma)`.
    pub fn lognormvariate(&mut self, mu: f64, sigma: f64) -> f64 {
        self.normalvariate(mu, sigma).exp()
    }

    /// `paretovariate(alpha)`.
    pub fn paretovariate(&mut self, alpha: f64) -> Result<f64, RandomError> {
        let u = 1.0 - self.random();
        if alpha == 0.0 {
            return Err(float_division_by_zero());
        }
        Ok(u.powf(-1.0 / alpha))
    }

    /// `weibullvariate(alpha, beta)`.
    pub fn weibullvariate(&mut self, alpha: f64, beta: f64) -> Result<f64, RandomError> {
        let u = 1.0 - self.random();
        if beta == 0.0 {
            return Err(float_division_by_zero());
        }
        Ok(alpha * (-u.ln()).powf(1.0 / beta))
    }

    /// `normalvariate(mu, sigma)`: Kinderman and Monahan's ratio-of-uniforms method.
    pub fn normalvariate(&mut self, mu: f64, sigma: f64) -> f64 {
        let magic = 4.0 * (-0.5f64).exp() / 2.0f64.sqrt();
        loop {
            let u1 = self.random();
            let u2 = 1.0 - self.random();
            let z = magic * (u1 - 0.5) / u2;
            let zz = z * z / 4.0;
            if zz <= -u2.ln() {
                return mu + z * sigma;
            }
        }
    }
}

impl Default for MersenneTwister {
    fn default() -> MersenneTwister {
        MersenneTwister::new()
    }
}

/// Python's floor division (`//`) for a non-zero divisor.
fn floor_div_i128(a: i128, b: i128) -> i128 {
    let quot = a / b;
    if a % b != 0 && ((a < 0) != (b < 0)) {
        quot - 1
    } else {
        quot
    }
}

/// Python's floor division for BigInts (`//`).
fn floor_div(a: &BigInt, b: &BigInt) -> BigInt {
    num_integer::Integer::div_floor(a, b)
}

/// The running sums of `weights`, as `itertools.accumulate` gives them to `choices`.
pub fn cumulative_weights(weights: &[f64]) -> Vec<f64> {
    let mut total = 0.0;
    let mut res = Vec::with_capacity(weights.len());
    for (i, w) in weights.iter().enumerate() {
        total = if i == 0 { *w } else { total + w };
        res.push(total);
    }
    res
}

/// `bisect.bisect_right(sorted, x)`.
fn bisect_right(sorted: &[f64], x: f64) -> usize {
    sorted.partition_point(|item| *item <= x)
}

/// SHA-512 (FIPS 180-4), needed only to turn str and bytes seeds into ints.
fn sha512(message: &[u8]) -> [u8; 64] {
    let mut state = INITIAL_STATE;
    let mut padded = message.to_vec();
    padded.push(0x80);
    while padded.len() % 128 != 112 {
        padded.push(0);
    }
    let bit_len = (message.len() as u128).wrapping_mul(8);
    padded.extend_from_slice(&bit_len.to_be_bytes());
    for block in padded.chunks_exact(128) {
        compress(&mut state, block);
    }
    let mut res = [0u8; 64];
    for (out, word) in res.chunks_exact_mut(8).zip(state) {
        out.copy_from_slice(&word.to_be_bytes());
    }
    res
}

fn compress(state: &mut [u64; 8], block: &[u8]) {
    let mut w = [0u64; 80];
    for (slot, bytes) in w.iter_mut().zip(block.chunks_exact(8)) {
        let mut word = [0u8; 8];
        word.copy_from_slice(bytes);
        *slot = u64::from_be_bytes(word);
    }
    for t in 16..80 {
        let s0 = w[t - 15].rotate_right(1) ^ w[t - 15].rotate_right(8) ^ (w[t - 15] >> 7);
        let s1 = w[t - 2].rotate_right(19) ^ w[t - 2].rotate_right(61) ^ (w[t - 2] >> 6);
        w[t] = w[t - 16]
            .wrapping_add(s0)
            .wrapping_add(w[t - 7])
            .wrapping_add(s1);
    }
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *state;
    for (k, wt) in ROUND_CONSTANTS.iter().zip(w) {
        let s1 = e.rotate_right(14) ^ e.rotate_right(18) ^ e.rotate_right(41);
        let ch = (e & f) ^ (!e & g);
        let t1 = h
            .wrapping_add(s1)
            .wrapping_add(ch)
            .wrapping_add(*k)
            .wrapping_add(wt);
        let s0 = a.rotate_right(28) ^ a.rotate_right(34) ^ a.rotate_right(39);
        let maj = (a & b) ^ (a & c) ^ (b & c);
        let t2 = s0.wrapping_add(maj);
        h = g;
        g = f;
        f = e;
        e = d.wrapping_add(t1);
        d = c;
        c = b;
        b = a;
        a = t1.wrapping_add(t2);
    }
    for (slot, value) in state.iter_mut().zip([a, b, c, d, e, f, g, h]) {
        *slot = slot.wrapping_add(value);
    }
}

const ROUND_CONSTANTS: [u64; 80] = [
    0x428a2f98d728ae22,
    0x7137449123ef65cd,
    0xb5c0fbcfec4d3b2f,
    0xe9b5dba58189dbbc,
    0x3956c25bf348b538,
    0x59f111f1b605d019,
    0x923f82a4af194f9b,
    0xab1c5ed5da6d8118,
    0xd807aa98a3030242,
    0x12835b0145706fbe,
    0x243185be4ee4b28c,
    0x550c7dc3d5ffb4e2,
    0x72be5d74f27b896f,
    0x80deb1fe3b1696b1,
    0x9bdc06a725c71235,
    0xc19bf174cf692694,
    0xe49b69c19ef14ad2,
    0xefbe4786384f25e3,
    0x0fc19dc68b8cd5b5,
    0x240ca1cc77ac9c65,
    0x2de92c6f592b0275,
    0x4a7484aa6ea6e483,
    0x5cb0a9dcbd41fbd4,
    0x76f988da831153b5,
    0x983e5152ee66dfab,
    0xa831c66d2db43210,
    0xb00327c898fb213f,
    0xbf597fc7beef0ee4,
    0xc6e00bf33da88fc2,
    0xd5a79147930aa725,
    0x06ca6351e003826f,
    0x142929670a0e6e70,
    0x27b70a8546d22ffc,
    0x2e1b21385c26c926,
    0x4d2c6dfc5ac42aed,
    0x53380d139d95b3df,
    0x650a73548baf63de,
    0x766a0abb3c77b2a8,
    0x81c2c92e47edaee6,
    0x92722c851482353b,
    0xa2bfe8a14cf10364,
    0xa81a664bbc423001,
    0xc24b8b70d0f89791,
    0xc76c51a30654be30,
    0xd192e819d6ef5218,
    0xd69906245565a910,
    0xf40e35855771202a,
    0x106aa07032bbd1b8,
    0x19a4c116b8d2d0c8,
    0x1e376c085141ab53,
    0x2748774cdf8eeb99,
    0x34b0bcb5e19b48a8,
    0x391c0cb3c5c95a63,
    0x4ed8aa4ae3418acb,
    0x5b9cca4f7763e373,
    0x682e6ff3d6b2b8a3,
    0x748f82ee5defb2fc,
    0x78a5636f43172f60,
    0x84c87814a1f0ab72,
    0x8cc702081a6439ec,
    0x90befffa23631e28,
    0xa4506cebde82bde9,
    0xbef9a3f7b2c67915,
    0xc67178f2e372532b,
    0xca273eceea26619c,
    0xd186b8c721c0c207,
    0xeada7dd6cde0eb1e,
    0xf57d4f7fee6ed178,
    0x06f067aa72176fba,
    0x0a637dc5a2c898a6,
    0x113f9804bef90dae,
    0x1b710b35131c471b,
    0x28db77f523047d84,
    0x32caab7b40c72493,
    0x3c9ebe0a15c9bebc,
    0x431d67c49c100d4c,
    0x4cc5d4becb3e42b6,
    0x597f299cfc657e2a,
    0x5fcb6fab3ad6faec,
    0x6c44198c4a475817,
];

const INITIAL_STATE: [u64; 8] = [
    0x6a09e667f3bcc908,
    0xbb67ae8584caa73b,
    0x3c6ef372fe94f82b,
    0xa54ff53a5f1d36f1,
    0x510e527fade682d1,
    0x9b05688c2b3e6c1f,
    0x1f83d9abfb41bd6b,
    0x5be0cd19137e2179,
];

#[cfg(test)]
mod tests;
