//! Float to text exactly as CPython 3.11 writes it: `repr(float)` and the shared core
//! (`double_to_string`) behind `format(x, spec)` and `'%f' % x`. CPython gets its digits from
//! David Gay's `dtoa`; here Rust's own formatter supplies them (shortest round-trip digits for
//! `{:e}`, correctly rounded, ties-to-even digits for an explicit precision), and this file only
//! lays them out the way `format_float_short` in CPython's `pystrtod.c` does. Rounding floats
//! to a number of decimal places (`round(x, n)`) lives here too, because it is the same
//! decimal-digit question. Nothing here knows about VM values or format-spec parsing.

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{Signed, Zero};

/// Layout options of CPython's `PyOS_double_to_string` (`Py_DTSF_*`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DtoaFlags {
    /// Write `1.0` rather than `1` when the result would look like an integer (`repr`).
    pub add_dot_0: bool,
    /// The `#` alternate form: keep trailing zeros for `g` and always write a decimal point.
    pub alt: bool,
    /// The `z` option: a negative value that rounds to zero loses its minus sign.
    pub no_neg_0: bool,
}

/// `repr(x)` (and `str(x)`) for a Python float.
pub fn float_repr(x: f64) -> String {
    let flags = DtoaFlags {
        add_dot_0: true,
        ..DtoaFlags::default()
    };
    double_to_string(x, 'r', 0, flags)
}

/// CPython's `PyOS_double_to_string`: `code` is one of `r e E f F g G` (`r` is the shortest
/// round-trip form and ignores `precision`). Upper-case codes write `E`, `INF` and `NAN`.
/// A NaN never gets a sign; the caller adds a `+` or space sign when the spec asks for one.
pub fn double_to_string(x: f64, code: char, precision: usize, flags: DtoaFlags) -> String {
    let upper = matches!(code, 'E' | 'F' | 'G');
    let code = code.to_ascii_lowercase();
    debug_assert!(
        matches!(code, 'r' | 'e' | 'f' | 'g'),
        "bad float code {code}"
    );
    if x.is_nan() {
        return if upper { "NAN" } else { "nan" }.to_string();
    }
    let negative = x.is_sign_negative();
    if x.is_infinite() {
        let sign = if negative { "-" } else { "" };
        return format!("{sign}{}", if upper { "INF" } else { "inf" });
    }
    let mut precision = i64::try_from(precision).unwrap_or(i64::MAX / 4);
    let (digits, decpt) = match code {
        'e' => {
            precision = precision.saturating_add(1);
            significant_digits(x, precision)
        }
        'g' => {
            precision = precision.max(1);
            significant_digits(x, precision)
        }
        'f' => fixed_digits(x, precision),
        _ => shortest_digits(x),
    };
    let is_zero = digits.bytes().all(|b| b == b'0');
    let mut res = String::new();
    if negative && !(flags.no_neg_0 && is_zero) {
        res.push('-');
    }
    let layout = Layout::new(code, precision, flags, digits.len() as i64, decpt);
    layout.write(&digits, upper, flags.alt, &mut res);
    res
}

/// Where the decimal point and the zero padding go around a digit string: CPython's
/// `vdigits_start`/`vdigits_end` window over the digits padded with zeros on both sides.
struct Layout {
    decpt: i64,
    vdigits_start: i64,
    vdigits_end: i64,
    exponent: Option<i64>,
}

impl Layout {
    fn new(code: char, precision: i64, flags: DtoaFlags, n_digits: i64, decpt: i64) -> Layout {
        let mut vdigits_end = n_digits;
        let mut use_exp = false;
        match code {
            'e' => {
                use_exp = true;
                vdigits_end = precision;
            }
            'f' => vdigits_end = decpt.saturating_add(precision),
            'g' => {
                let limit = if flags.add_dot_0 {
                    precision - 1
                } else {
                    precision
                };
                use_exp = decpt <= -4 || decpt > limit;
                if flags.alt {
                    vdigits_end = precision;
                }
            }
            _ => use_exp = decpt <= -4 || decpt > 16,
        }
        let (decpt, exponent) = if use_exp {
            (1, Some(decpt - 1))
        } else {
            (decpt, None)
        };
        let vdigits_start = if decpt <= 0 { decpt - 1 } else { 0 };
        let min_end = if !use_exp && flags.add_dot_0 {
            decpt + 1
        } else {
            decpt
        };
        Layout {
            decpt,
            vdigits_start,
            vdigits_end: vdigits_end.max(min_end),
            exponent,
        }
    }

    fn write(&self, digits: &str, upper: bool, alt: bool, res: &mut String) {
        let n_digits = digits.len() as i64;
        let decpt = self.decpt;
        let zeros = |res: &mut String, n: i64| res.extend((0..n.max(0)).map(|_| '0'));
        if decpt <= 0 {
            zeros(res, decpt - self.vdigits_start);
            res.push('.');
            zeros(res, -decpt);
            res.push_str(digits);
        } else {
            zeros(res, -self.vdigits_start);
            match (digits.get(..decpt as usize), digits.get(decpt as usize..)) {
                (Some(int_part), Some(frac_part)) => {
                    res.push_str(int_part);
                    res.push('.');
                    res.push_str(frac_part);
                }
                _ => res.push_str(digits),
            }
        }
        if n_digits < decpt {
            zeros(res, decpt - n_digits);
            res.push('.');
            zeros(res, self.vdigits_end - decpt);
        } else {
            zeros(res, self.vdigits_end - n_digits);
        }
        if res.ends_with('.') && !alt {
            res.pop();
        }
        if let Some(exp) = self.exponent {
            res.push(if upper { 'E' } else { 'e' });
            res.push(if exp < 0 { '-' } else { '+' });
            res.push_str(&format!("{:02}", exp.unsigned_abs()));
        }
    }
}

/// Shortest digits that read back as `x` (dtoa mode 0), with the decimal point position:
/// the value is `0.DIGITS * 10**decpt`. Zero is `("0", 1)`, as in dtoa.
fn shortest_digits(x: f64) -> (String, i64) {
    let (digits, decpt) = split_exponent(&format!("{:e}", x.abs()));
    (ties_to_even(x.abs(), digits, decpt), decpt)
}

/// When `x` lies exactly halfway between two shortest digit strings that both read back as
/// `x`, dtoa takes the even one; Rust's formatter rounds such a tie up (`1e15 + 0.25` is
/// `1000000000000000.2` in CPython). A tie needs floats sparser than the decimals of that
/// length, so only long digit strings are checked, exactly.
fn ties_to_even(x: f64, digits: String, decpt: i64) -> String {
    let n = digits.len();
    let last = digits.as_bytes().last().map_or(0, |b| b - b'0');
    if n < 15 || last.is_multiple_of(2) || !x.is_finite() {
        return digits;
    }
    let Ok(d) = digits.parse::<u64>() else {
        return digits;
    };
    // The digits stand for d * 10**q.
    let q = decpt - n as i64;
    let (mant, exp2) = decompose(x);
    // A tie puts the exact value's last digit (a 5) just below d's last place. With a
    // negative power of two, that last digit is at 10**-k for x = odd * 2**-k: most values
    // are ruled out without big numbers.
    let tz = i64::from(mant.trailing_zeros());
    let odd_exp = exp2 + tz;
    if mant == 0 || (odd_exp < 0 && odd_exp != q - 1) || (odd_exp >= 0 && q < 1) {
        return digits;
    }
    // 2x and 2d ± 1 (the midpoints below and above d), each times 10**q, as integers.
    let scale = |v: BigInt, pow10: i64, pow2: i64| -> BigInt {
        let v = if pow10 > 0 {
            v * BigInt::from(10u32).pow(pow10 as u32)
        } else {
            v
        };
        if pow2 > 0 {
            v << (pow2 as usize)
        } else {
            v
        }
    };
    let twice_x = scale(BigInt::from(mant) * 2, -q, exp2);
    for (mid, neighbour) in [(2 * d - 1, d - 1), (2 * d + 1, d + 1)] {
        let twice_mid = scale(BigInt::from(mid), q, -exp2);
        if twice_x == twice_mid {
            let text = neighbour.to_string();
            // The neighbour must keep the length (d + 1 may carry into one more digit).
            if text.len() == n && format!("{}e{}", text, q).parse::<f64>() == Ok(x) {
                return text;
            }
        }
    }
    digits
}

/// `n_digits` correctly rounded significant digits (dtoa mode 2), trailing zeros removed.
fn significant_digits(x: f64, n_digits: i64) -> (String, i64) {
    let after_point = usize::try_from(n_digits - 1).unwrap_or(0);
    let (digits, decpt) = split_exponent(&format!("{:.*e}", after_point, x.abs()));
    strip_trailing_zeros(digits, decpt)
}

/// Digits of `x` correctly rounded to `n_after` places after the point (dtoa mode 3). A value
/// that rounds to zero gives no digits and `decpt == -n_after`, as dtoa does.
fn fixed_digits(x: f64, n_after: i64) -> (String, i64) {
    if x == 0.0 {
        return ("0".to_string(), 1);
    }
    let after_point = usize::try_from(n_after).unwrap_or(0);
    let text = format!("{:.*}", after_point, x.abs());
    let (int_part, frac_part) = text.split_once('.').unwrap_or((&text, ""));
    let all = format!("{int_part}{frac_part}");
    let trimmed = all.trim_start_matches('0');
    if trimmed.is_empty() {
        return (String::new(), -n_after);
    }
    let decpt = int_part.len() as i64 - (all.len() - trimmed.len()) as i64;
    strip_trailing_zeros(trimmed.to_string(), decpt)
}

/// Turns Rust's `d.ddde±x` text into a digit string and a dtoa-style decimal point position.
fn split_exponent(text: &str) -> (String, i64) {
    let (mantissa, exp) = text.split_once('e').unwrap_or((text, "0"));
    let exp: i64 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    (digits, exp + 1)
}

fn strip_trailing_zeros(mut digits: String, decpt: i64) -> (String, i64) {
    let kept = digits.trim_end_matches('0').len();
    if kept == 0 {
        return ("0".to_string(), 1);
    }
    digits.truncate(kept);
    (digits, decpt)
}

/// Error text of `round(x, n)` when the rounded value overflows a float.
pub const ROUND_OVERFLOW: &str = "rounded value too large to represent";

/// `round(x, ndigits)` for a float `x` and an int `ndigits`, as CPython computes it: the
/// exact binary value is rounded half-to-even to `ndigits` decimal places and the decimal
/// result is read back with correct rounding. Infinities and NaN come back unchanged. The
/// error (an `OverflowError` in Python) is [`ROUND_OVERFLOW`].
pub fn round_float(x: f64, ndigits: i64) -> Result<f64, &'static str> {
    // CPython's NDIGITS_MAX and NDIGITS_MIN: beyond them the answer is known without work.
    const NDIGITS_MAX: i64 = 323;
    const NDIGITS_MIN: i64 = -308;
    if !x.is_finite() || ndigits > NDIGITS_MAX {
        return Ok(x);
    }
    if ndigits < NDIGITS_MIN || x == 0.0 {
        return Ok(0.0 * x);
    }
    let (mantissa, exp2) = decompose(x);
    // The scaled value is num / den; `rounded` is it rounded half to even.
    let mut num = BigInt::from(mantissa);
    let mut den = BigInt::from(1u8);
    if exp2 >= 0 {
        num <<= exp2 as usize;
    } else {
        den <<= exp2.unsigned_abs() as usize;
    }
    let ten_pow = num_traits::pow(BigInt::from(10u8), ndigits.unsigned_abs() as usize);
    if ndigits >= 0 {
        num *= ten_pow;
    } else {
        den *= ten_pow;
    }
    let rounded = div_round_half_even(&num, &den);
    let text = format!("{}{}e{}", if x < 0.0 { "-" } else { "" }, rounded, -ndigits);
    let res: f64 = text.parse().map_err(|_| ROUND_OVERFLOW)?;
    if res.is_infinite() {
        return Err(ROUND_OVERFLOW);
    }
    // A value rounded to zero keeps the sign of x, as in CPython (`round(-0.1) == -0.0`).
    Ok(if res == 0.0 { 0.0 * x } else { res })
}

/// `|x| == mantissa * 2**exp2` exactly, for a finite x.
fn decompose(x: f64) -> (u64, i64) {
    let bits = x.to_bits();
    let exp_bits = ((bits >> 52) & 0x7ff) as i64;
    let frac = bits & ((1u64 << 52) - 1);
    if exp_bits == 0 {
        (frac, -1074)
    } else {
        (frac | (1u64 << 52), exp_bits - 1075)
    }
}

/// num / den rounded to the nearest integer, ties to even; both are non-negative, den > 0.
fn div_round_half_even(num: &BigInt, den: &BigInt) -> BigInt {
    let (quot, rem) = num.div_rem(den);
    let twice: BigInt = rem << 1usize;
    if twice > *den || (twice == *den && quot.is_odd()) {
        quot + 1
    } else {
        quot
    }
}

/// `round(x)` with no digits: the nearest integer, ties to even, still as a float. The
/// caller turns it into an int (and raises for infinities and NaN).
pub fn round_half_even(x: f64) -> f64 {
    x.round_ties_even()
}

/// True when `x` is an integer-valued float whose absolute value is below 2**63, so that
/// `x as i64` is exact. Other finite values need the BigInt route.
pub fn fits_i64(x: f64) -> bool {
    x.is_finite() && x.fract() == 0.0 && x.abs() < 9_223_372_036_854_775_808.0
}

/// The exact integer value of a finite, integer-valued float (`int(x)` after truncation).
pub fn float_to_bigint(x: f64) -> Option<BigInt> {
    if !x.is_finite() {
        return None;
    }
    let x = x.trunc();
    if x == 0.0 {
        return Some(BigInt::zero());
    }
    let (mantissa, exp2) = decompose(x);
    let mut res = BigInt::from(mantissa);
    if exp2 >= 0 {
        res <<= exp2 as usize;
    } else {
        res >>= exp2.unsigned_abs() as usize;
    }
    Some(if x.is_sign_negative() {
        -res
    } else {
        res.abs()
    })
}

/// `float(v)` for an int: correctly rounded (ties to even), `None` when the result would
/// overflow (Python's "int too large to convert to float").
pub fn bigint_to_f64(v: &BigInt) -> Option<f64> {
    // Anything with more than 1024 bits is at least 2**1024, beyond the largest float.
    if v.bits() > 1024 {
        return None;
    }
    // Rust's decimal parser rounds correctly, so going through the decimal text is exact.
    let res: f64 = v.to_string().parse().ok()?;
    res.is_finite().then_some(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Repr of doubles drawn by a splitmix64 stream (seed 12345): 200 raw bit patterns (the
    /// non-finite ones skipped) and 150 decimals `a / 10**k`. Generated once with python3.
    const GENERATED: &str = "\
1.4021921619478108e-144 3.933392867055903e-56 2.9276755777521917e-161 \
1.691843555264218e-91 -3.5280731055015604e-300 4.38442029479884e+107 \
2.015314301218594e-157 1.1607124561896643e+224 4.472871350414216e+283 \
-1.7104713251276024e+145 5.181789889584246e-81 8.12127208518258e+160 \
-9.391300609627595e+18 -6.504028221119146e+157 -1.5039079368477342e+272 \
8.574637512864581e+174 -4.461820323256828e+42 -2.323961389121476e-297 \
-6.767169893928092e+75 6.880164670955425e+155 2.701604300144775e-131 \
1.2373633292225117e+54 3.4727907734457035e-92 1.1919460682041161e-09 \
1.0836175715734464e-90 3.3672837596454924e+109 5.0893768918862615e-300 \
1.304006109410533e-172 9.066082320999553e-55 2.2463725590173604e-91 \
-3.6411996760148453e+78 -5.1664839486917156e+151 -4.1516138046170175e+83 \
4.820690046806322e-64 -1.4713661380971754e-39 6.892915639019552e-112 7146201319829.036 \
6.425420211464281e+112 9.746598570261874e+199 -2884213162.244484 -1.2348317517079493e+99 \
-2.1732411605662698e-271 -1.2585669532847804e+147 6.2317072031105604e+237 \
1.2187402369146269e-175 5.8897490234877064e+231 1.877435068822491e+237 \
-4.2449332877527974e+71 4.277967932284948e+228 2.356604978348702e+276 2.33322717062236e-47 \
-4.979716300024441e-306 1.620324901078675e-276 1.000611141421598e-108 \
3.2928373730085626e-267 -4.295745807786167e-289 2.784050036451853e-14 \
6.562646769729132e-298 -1.963461431497091e+266 8.569976039280192e-294 \
2.8747480257097654e-169 2.903560647632644e+38 9.634185822760697e-48 4.77506560435008e+120 \
6.926333176037356e-296 1069617785473242.8 -2.8997233852171893e-161 4.740377206820833e-92 \
5.1817269192188394e+73 1.2867810522265846e+297 -1.5714246358660207e-132 \
4.20265620877532e-169 -3.4087043422105113e-17 3.0805227019585292e-294 \
-6.672114166936204e+229 3.0801972761512626e+187 1.9117544104002067e-147 \
-6.9726985030456226e+44 5.988846854363318e-212 1.6569146546112043e+38 \
-1.6267666602901703e+292 -6.106805785150357e-231 6.6950803916981354e+106 \
-9.599995526201427e-201 6.219394249868812e+271 -7.806176438167447e+87 \
-1.4978466432072434e+114 1.2827477144091767e+162 9.528283300744251e+26 \
-5.437621641957235e-73 8.039002721100706e-153 -8.242578116819175e-288 \
-5.201188973239911e-149 -5.3841891346098173e-08 4.0893349986863923e-193 \
-1.610754760231943e-302 -2.5972501248890137e+242 -1.0674094026808883e+232 \
0.13774873566860216 5.075404991450297e-90 -3.82886129717708e-200 4.756164109526386e+134 \
9.089554575985457e+225 2.1923540122331373e-147 -2.8666946385931537e-158 \
-1.793676119919431e-282 -3.7817170107054612e-124 -3.0657416428619538e-18 \
5.4118380974920366e+163 3.369128092710959e-99 -1.7389447874004986e+290 \
5.147897450207264e-136 9.189055439120735e+256 1.4775295944923064e+183 \
1.608134851818688e-290 -1.0256532919189445e-38 5.452385373789008e-114 \
6.9483156634127044e+246 8.77096626901722e+306 -3.0467927837178916e+189 \
2.5759934315900327e+134 -1.0635497783229191e-76 2.2214617301781916e-209 \
-1.0861331753109533e-41 238208253836909.06 1.6722664157998983e-256 \
-1.2873085065878768e+256 5.670493223055629e+206 -1.2720219274837053e-81 \
3.991091548611714e-200 -1.0948807920081141e-281 -1.9467774333745167e+294 \
3.970448201305099e+247 1.2029662905932432e-199 1.826021564515563e+86 \
-9.557835356943857e-214 6.800914315348861e+226 1.2690970218768447e+275 127947912476648.0 \
-5.676804157505542e+183 -3.76658175354733e-67 5.469283217197749e-295 \
1.8616935304572678e+73 -3.013666337076664e-150 -6.143664376601279e+35 \
7.78355764104466e-221 -5.231589129137024e-267 8.886756273571636e-271 \
-1.6291149505509975e+138 -9.352142853264978e+192 2.7999994609375644e+266 \
-1.6554172868105049e-218 4.147338597399911e+274 0.0006797261574317776 \
-1.3518769909785362e-305 1.2439735708728373e-119 -7.270534490765711e-283 \
3.9257411277313156e+73 1.6477531358476716e-230 2.059464656347805e+167 \
3.461987999405987e-20 1.063191469212817e-210 -1.9649638151899785e-36 \
-2.0609286086272392e-228 -1.4463108245266085e+20 4.9723120107517135e+196 \
-3.317366030905252e+252 -1.4782743739004912e-116 -5.25896249210985e-32 \
-1.7952533869548233e+208 1.7072550825755888e+302 -1.98231499589302e-129 \
2.1757438832775985e-72 1.2687648412747108e+205 -5.26278061181734e-276 \
-8.102386596178316e-163 -5.3736076647964657e-67 1.809623078746712e-186 \
2.583326342776074e+207 2.207261383609184e-122 -7.731646829596406e+249 \
3.4632452039034887e-88 4.378066114567542e-64 8.948291439884154e-91 \
-1.4799006645662123e-136 -3.6090072999980755e-59 2.3891264202618028e-79 \
-6.549841321786617e-29 3.6156037941113924e+275 -9.055906732665784e-13 \
-5.066489681479698e+225 9.64531484644424e-140 -2.092710421630706e-49 \
2.2403783194129048e+210 -3.2740450483272103e-147 -5.13021594924591e+242 \
-5.065901044438852e+273 -5.42754155076033e-67 -1.9858605628561013e-36 \
1.6084442321445746e-19 9.564779 2537302.0 4299.0 3872.326 0.000107063 0.6100624 0.7148118 \
414.801 1.666759e-07 7.205362e-05 17.51791 96.30037 422.383 12.02761 9.600059e-06 86152.65 \
11.70783 0.1368761 9.138101e-06 0.0009130515 7.581649e-06 2.090552e-06 0.5092649 6349.074 \
0.6236856 67541.45 0.00065065 967865.2 6.51038 6.489329 0.009590816 6.764231e-07 3935.822 \
7.252594e-05 84.49623 212.3522 253970.0 4.910608 6.972459e-06 0.0009902302 0.01978289 \
7370.096 59170.77 8150107.0 2.701744e-07 243.721 0.001617426 853371.4 2.7078e-06 \
8.882489e-06 0.005605554 0.0003132362 0.1550908 7.402042e-07 0.002641894 76.7044 78864.77 \
241.816 0.0324532 36352.76 5.640821 8.657704 8651133.0 0.002897815 0.003838575 4817357.0 \
754.5581 985329.4 84.22837 0.0006719256 0.02163437 0.39267 0.09707496 11188.85 788930.0 \
2.645483 883040.8 4256.082 0.5248445 8102.279 3944431.0 0.0067885 70283.01 5.1573e-08 \
79246.87 51.8646 1305968.0 5841.977 9.260831e-06 5.941286e-06 1.159265 0.009077424 \
0.004002193 929573.0 0.0006735999 5.863528e-06 34.71606 65668.77 0.0578842 9.269e-09 \
1655488.0 9.116766e-05 1475.104 0.05843416 8432.784 828124.3 237898.0 398.6124 \
6.899404e-05 46227.53 0.006043316 0.0007398507 0.0004201792 3073.811 124272.5 0.0005212804 \
3994097.0 5406.352 0.00424988 350910.0 68601.81 6995192.0 3.906078e-07 85169.67 \
0.0005465592 0.00794538 7.387569 0.006820426 1978803.0 0.8773861 496.4832 288.6316 \
95.39685 0.6705972 0.257223 2.153082e-07 342.6235 5233866.0 1.146576e-05 1809.909 550.3905 \
785143.2 0.005439207 6.277644e-07 0.004450888 409.9645 5.605826 226.1855 37.79848 \
2.52093e-08 \
";

    fn splitmix(state: &mut u64) -> u64 {
        *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn generated_values() -> Vec<f64> {
        let mut state = 12345u64;
        let mut res = Vec::new();
        for _ in 0..200 {
            let x = f64::from_bits(splitmix(&mut state));
            if x.is_finite() {
                res.push(x);
            }
        }
        for _ in 0..150 {
            let a = splitmix(&mut state) % 10_000_000;
            let k = splitmix(&mut state) % 14;
            let scale: f64 = format!("1e{k}").parse().unwrap();
            res.push(a as f64 / scale);
        }
        res
    }

    fn check(x: f64, expected: &str) {
        assert_eq!(float_repr(x), expected, "repr of {x:e}");
    }

    #[test]
    fn repr_matches_cpython_on_generated_values() {
        let values = generated_values();
        let expected: Vec<&str> = GENERATED.split_whitespace().collect();
        assert_eq!(values.len(), expected.len());
        for (x, want) in values.iter().zip(expected) {
            check(*x, want);
        }
    }

    #[test]
    fn repr_breaks_shortest_ties_to_even() {
        // Exactly halfway between two 17-digit strings that both read back: dtoa takes the
        // even digit.
        check(1e15 + 0.25, "1000000000000000.2");
        check(1e15 + 0.75, "1000000000000000.8");
        check(2e15 + 0.5, "2000000000000000.5");
        check(-(1e15 + 0.25), "-1000000000000000.2");
    }

    #[test]
    fn repr_matches_cpython_on_special_values() {
        check(0.0, "0.0");
        check(-0.0, "-0.0");
        check(1.0, "1.0");
        check(-1.0, "-1.0");
        check(0.1, "0.1");
        check(0.30000000000000004, "0.30000000000000004");
        check(1e16, "1e+16");
        check(1e15, "1000000000000000.0");
        check(9999999999999998.0, "9999999999999998.0");
        check(1234567890123456.8, "1234567890123456.8");
        check(123456789012345.0, "123456789012345.0");
        check(1e-4, "0.0001");
        check(1e-5, "1e-05");
        check(1.5e-5, "1.5e-05");
        check(0.00012345, "0.00012345");
        check(1e22, "1e+22");
        check(1e23, "1e+23");
        check(5e-324, "5e-324");
        check(1.7976931348623157e308, "1.7976931348623157e+308");
        check(9007199254740992.0, "9007199254740992.0");
        check(20000000000000008.0, "2.000000000000001e+16");
        check(1e100, "1e+100");
        check(123.456, "123.456");
        check(-2.5, "-2.5");
        check(100.0, "100.0");
        check(1e-7, "1e-07");
        check(0.5, "0.5");
        check(0.3333333333333333, "0.3333333333333333");
        check(1e21, "1e+21");
        check(12345678901234567890.0, "1.2345678901234567e+19");
        check(4.35, "4.35");
        check(0.07, "0.07");
        check(2.2250738585072014e-308, "2.2250738585072014e-308");
        check(-1e-300, "-1e-300");
        check(99999999999999990.0, "9.999999999999998e+16");
        check(f64::INFINITY, "inf");
        check(f64::NEG_INFINITY, "-inf");
        check(f64::NAN, "nan");
        check(-f64::NAN, "nan");
    }

    fn check_fmt(x: f64, code: char, precision: usize, expected: &str) {
        let got = double_to_string(x, code, precision, DtoaFlags::default());
        assert_eq!(got, expected, "'%.{precision}{code}' % {x:e}");
    }

    fn check_alt(x: f64, code: char, precision: usize, expected: &str) {
        let flags = DtoaFlags {
            alt: true,
            ..DtoaFlags::default()
        };
        let got = double_to_string(x, code, precision, flags);
        assert_eq!(got, expected, "'%#.{precision}{code}' % {x:e}");
    }

    #[test]
    fn fixed_precision_codes_match_percent_formatting() {
        check_fmt(2.675, 'f', 2, "2.67");
        check_fmt(0.125, 'f', 2, "0.12");
        check_fmt(0.375, 'f', 2, "0.38");
        check_fmt(1.5, 'f', 0, "2");
        check_fmt(2.5, 'f', 0, "2");
        check_fmt(-0.001, 'f', 1, "-0.0");
        check_fmt(0.0006, 'f', 3, "0.001");
        check_fmt(123.456, 'e', 2, "1.23e+02");
        check_fmt(0.0, 'e', 3, "0.000e+00");
        check_fmt(1e-10, 'g', 6, "1e-10");
        check_fmt(123456789.0, 'g', 6, "1.23457e+08");
        check_fmt(1e+16, 'g', 17, "10000000000000000");
        check_fmt(100.0, 'g', 3, "100");
        check_fmt(1000.0, 'g', 3, "1e+03");
        check_fmt(0.0001, 'g', 6, "0.0001");
        check_fmt(1e-05, 'g', 6, "1e-05");
        check_fmt(1.5, 'g', 0, "2");
        check_fmt(5e-324, 'e', 5, "4.94066e-324");
        check_fmt(1e+300, 'f', 0, "1000000000000000052504760255204420248704468581108159154915854115511802457988908195786371375080447864043704443832883878176942523235360430575644792184786706982848387200926575803737830233794788090059368953234970799945081119038967640880074652742780142494579258788820056842838115669472196386865459400540160");
        check_fmt(1.5, 'E', 3, "1.500E+00");
        check_fmt(f64::INFINITY, 'F', 2, "INF");
        check_fmt(f64::NEG_INFINITY, 'e', 2, "-inf");
        check_fmt(f64::NAN, 'G', 2, "NAN");
        check_fmt(-0.0, 'f', 2, "-0.00");
        check_fmt(0.5, 'e', 0, "5e-01");
        check_fmt(9.5, 'e', 0, "1e+01");
        check_fmt(1234.5, 'g', 4, "1234");
        check_fmt(1e-05, 'e', 20, "1.00000000000000008180e-05");
        check_fmt(0.1, 'f', 30, "0.100000000000000005551115123126");
        check_fmt(1e+22, 'f', 1, "10000000000000000000000.0");
        check_alt(1.5, 'g', 6, "1.50000");
        check_alt(1.0, 'g', 3, "1.00");
        check_alt(1.0, 'f', 0, "1.");
        check_alt(1e+20, 'g', 3, "1.00e+20");
        check_alt(0.0, 'e', 0, "0.e+00");
        check_alt(12.0, 'g', 2, "12.");
    }

    fn check_round(x: f64, ndigits: i64, expected: f64) {
        let got = round_float(x, ndigits).unwrap();
        assert_eq!(got.to_bits(), expected.to_bits(), "round({x:e}, {ndigits})");
    }

    #[test]
    fn round_matches_cpython() {
        check_round(2.675, 2, 2.67);
        check_round(0.125, 2, 0.12);
        check_round(0.375, 2, 0.38);
        check_round(1.5, 0, 2.0);
        check_round(2.5, 0, 2.0);
        check_round(-2.5, 0, -2.0);
        check_round(1234.5678, -2, 1200.0);
        check_round(1250.0, -2, 1200.0);
        check_round(1350.0, -2, 1400.0);
        check_round(-0.1, 0, -0.0);
        check_round(0.1, 0, 0.0);
        check_round(1e+300, -301, 0.0);
        check_round(5e-324, 323, 0.0);
        check_round(5e-324, 320, 0.0);
        check_round(123.456, 1, 123.5);
        check_round(1.7976931348623157e+308, -300, 1.79769313e+308);
        check_round(1.7976931348623157e+308, -309, 0.0);
        check_round(0.5, -1, 0.0);
        check_round(55.0, -1, 60.0);
        check_round(65.0, -1, 60.0);
        check_round(1e-20, 25, 1e-20);
        check_round(0.30000000000000004, 16, 0.3);
        check_round(12345.6789, 3, 12345.679);
        check_round(1.152921504606847e+18, -5, 1.1529215046068e+18);
        check_round(-1234.5, -1, -1230.0);
        assert_eq!(
            round_float(1.7976931348623157e308, -308),
            Err(ROUND_OVERFLOW)
        );
        assert_eq!(
            round_float(1.7976931348623157e308, -304),
            Err(ROUND_OVERFLOW)
        );
        assert_eq!(round_float(f64::NAN, 2).map(f64::is_nan), Ok(true));
        assert_eq!(round_float(f64::INFINITY, -2), Ok(f64::INFINITY));
    }

    #[test]
    fn round_half_even_ties_to_even() {
        assert_eq!(round_half_even(2.5), 2.0);
        assert_eq!(round_half_even(3.5), 4.0);
        assert_eq!(round_half_even(-0.5), -0.0);
        assert_eq!(round_half_even(0.49999999999999994), 0.0);
    }

    #[test]
    fn float_to_bigint_is_exact() {
        let big = float_to_bigint(1e20).unwrap();
        assert_eq!(big.to_string(), "100000000000000000000");
        assert_eq!(float_to_bigint(-2.9).unwrap().to_string(), "-2");
        assert_eq!(float_to_bigint(f64::NAN), None);
        assert!(!fits_i64(-1.8e19));
        assert!(fits_i64(123.0));
    }
}
