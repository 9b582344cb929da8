//! Exact disassembly of small programs, one construct family each. When the code generator
//! changes on purpose, review the new text with `print_for_review` and paste it here.

use super::dis_src;

fn check(src: &str, expected: &str) {
    let got = dis_src(src.strip_prefix('\n').unwrap_or(src));
    let expected = expected.strip_prefix('\n').unwrap_or(expected);
    assert_eq!(got.trim_end(), expected.trim_end(), "\n{got}");
}

#[test]
fn calls_and_defs() {
    check(
        r#"
@deco
def f(a, b=1, /, c=2, *, d, e=3, **kw):
    return f(a, *b, c=1, **kw) or o.m(x, y=2) and not g(d=4)
lam = lambda v=0: (v, -1, (1, "s"), f"{v!r:>{w}}x")"#,
        r#"
Disassembly of <module> (Module, qualname <module>):
     1     0  LoadName           0      (deco)
     2     1  LoadConst          0      (1)
           2  LoadConst          1      (2)
           3  BuildTuple         2
           4  LoadConst          2      ('e')
           5  LoadConst          3      (3)
           6  BuildMap           1
           7  LoadConst          4      (<code f>)
           8  MakeFunction       3      (defaults, kwdefaults)
     1     9  Call               1
     2    10  StoreName          1      (f)
     4    11  LoadConst          5      (0)
          12  BuildTuple         1
          13  LoadConst          6      (<code <lambda>>)
          14  MakeFunction       1      (defaults)
          15  StoreName          2      (lam)
     2    16  ReturnConst        7      (None)
          17  ReturnValue

Disassembly of f (Function, qualname f):
  args: 3 positional (2 positional-only), 2 keyword-only, **kwargs
  varnames: a, b, c, d, e, kw
     3     0  LoadGlobal         0      (f)
           1  LoadLocal          0      (a)
           2  BuildList          1
           3  LoadLocal          1      (b)
           4  ListExtend         1
           5  ListToTuple
           6  BuildMap           0
           7  LoadConst          1      ('c')
           8  LoadConst          2      (1)
           9  BuildMap           1
          10  DictMerge          1
          11  LoadLocal          5      (kw)
          12  DictMerge          1
          13  CallEx             1
          14  JumpIfTrueOrPop    25     (to 25)
          15  LoadGlobal         1      (o)
          16  LoadMethod         2      (m)
          17  LoadGlobal         3      (x)
          18  LoadConst          3      (2)
          19  CallMethodKw       2 4    (('y',))
          20  JumpIfFalseOrPop   25     (to 25)
          21  LoadGlobal         4      (g)
          22  LoadConst          5      (4)
          23  CallKw             1 6    (('d',))
          24  Unary              (Not)
          25  ReturnValue
     2    26  ReturnConst        0      (None)
          27  ReturnValue

Disassembly of <lambda> (Function, qualname <lambda>):
  args: 1 positional (0 positional-only), 0 keyword-only
  varnames: v
     4     0  LoadLocal          0      (v)
           1  LoadConst          1      (-1)
           2  LoadConst          2      ((1, 's'))
           3  LoadLocal          0      (v)
           4  LoadConst          3      ('>')
           5  LoadGlobal         0      (w)
           6  FormatValue
           7  BuildString        2
           8  FormatValue        (!r with spec)
           9  LoadConst          4      ('x')
          10  BuildString        2
          11  BuildTuple         4
          12  ReturnValue
"#,
    );
}

#[test]
fn closures_and_super() {
    check(
        r#"
def outer():
    n = 0
    def inc():
        nonlocal n
        n += 1
        return n
    return inc
class C(Base):
    def m(self):
        return super().m() + __class__.x"#,
        r#"
Disassembly of <module> (Module, qualname <module>):
     1     0  LoadConst          0      (<code outer>)
           1  MakeFunction       0
           2  StoreName          0      (outer)
     8     3  LoadConst          1      (<code C>)
           4  MakeFunction       0
           5  LoadConst          2      ('C')
           6  LoadName           1      (Base)
           7  BuildClass         1
           8  StoreName          2      (C)
     1     9  ReturnConst        3      (None)
          10  ReturnValue

Disassembly of outer (Function, qualname outer):
  varnames: inc
  cellvars: n
     2     0  LoadConst          1      (0)
           1  StoreDeref         0      (n)
     3     2  LoadClosure        0      (n)
           3  BuildTuple         1
           4  LoadConst          2      (<code outer.<locals>.inc>)
           5  MakeFunction       8      (closure)
           6  StoreLocal         0      (inc)
     7     7  ReturnLocal        0      (inc)
           8  ReturnValue
     1     9  ReturnConst        0      (None)
          10  ReturnValue

Disassembly of inc (Function, qualname outer.<locals>.inc):
  freevars: n
     5     0  LoadDeref          0      (n)
           1  InplaceConst       1      (+ 1)
           2  StoreDeref         0      (n)
     6     3  LoadDeref          0      (n)
           4  ReturnValue
     3     5  ReturnConst        0      (None)
           6  ReturnValue

Disassembly of C (Class, qualname C):
  cellvars: __class__
     9     0  LoadClosure        0      (__class__)
           1  BuildTuple         1
           2  LoadConst          0      (<code C.m>)
           3  MakeFunction       8      (closure)
           4  StoreName          0      (m)
     8     5  LoadClosure        0      (__class__)
           6  ReturnValue

Disassembly of m (Function, qualname C.m):
  args: 1 positional (0 positional-only), 0 keyword-only
  varnames: self
  freevars: __class__
    10     0  LoadGlobal         0      (super)
           1  LoadDeref          0      (__class__)
           2  LoadLocal          0      (self)
           3  Call               2
           4  LoadMethod         1      (m)
           5  CallMethod         0
           6  LoadDeref          0      (__class__)
           7  LoadAttr           2      (x)
           8  ReturnBinary       (+)
           9  ReturnValue
     9    10  ReturnConst        0      (None)
          11  ReturnValue
"#,
    );
}

#[test]
fn displays_and_targets() {
    check(
        r#"
x = [a, *b]
y = {**d, "k": 1}
z = a < b < c
a.b += 1
a[i] += 1
p, *q, r = s"#,
        r#"
Disassembly of <module> (Module, qualname <module>):
     1     0  LoadName           0      (a)
           1  BuildList          1
           2  LoadName           1      (b)
           3  ListExtend         1
           4  StoreName          2      (x)
     2     5  BuildMap           0
           6  LoadName           3      (d)
           7  DictUpdate         1
           8  LoadConst          0      ('k')
           9  LoadConst          1      (1)
          10  MapAdd             1
          11  StoreName          4      (y)
     3    12  LoadName           0      (a)
          13  LoadName           1      (b)
          14  Swap               2
          15  Copy               2
          16  Compare            (<)
          17  JumpIfFalseOrPop   21     (to 21)
          18  LoadName           5      (c)
          19  Compare            (<)
          20  Jump               23     (to 23)
          21  Swap               2
          22  PopTop
          23  StoreName          6      (z)
     4    24  LoadName           0      (a)
          25  Copy               1
          26  LoadAttr           1      (b)
          27  InplaceConst       1      (+ 1)
          28  Swap               2
          29  StoreAttr          1      (b)
     5    30  LoadName           0      (a)
          31  LoadName           7      (i)
          32  Copy               2
          33  Copy               2
          34  LoadSubscr
          35  InplaceConst       1      (+ 1)
          36  Swap               3
          37  Swap               2
          38  StoreSubscr
     6    39  LoadName           8      (s)
          40  UnpackEx           1 1
          41  StoreName          9      (p)
          42  StoreName          10     (q)
          43  StoreName          11     (r)
     1    44  ReturnConst        2      (None)
          45  ReturnValue
"#,
    );
}

#[test]
fn except_star() {
    check(
        r#"
try:
    f()
except* ValueError as eg:
    g(eg)
except* TypeError:
    pass"#,
        r#"
Disassembly of <module> (Module, qualname <module>):
     2     0  LoadName           0      (f)
           1  Call               0
           2  PopTop
     1     3  Jump               46     (to 46)
           4  PushExcInfo
           5  Copy               1
           6  BuildList          0
           7  Swap               2
     3     8  LoadName           1      (ValueError)
           9  CheckEgMatch
          10  Copy               1
          11  PopJumpIfNone      26     (to 26)
          12  StoreName          2      (eg)
     4    13  LoadName           3      (g)
          14  LoadName           2      (eg)
          15  Call               1
          16  PopTop
     3    17  LoadConst          0      (None)
          18  StoreName          2      (eg)
          19  DeleteName         2      (eg)
          20  Jump               27     (to 27)
          21  LoadConst          0      (None)
          22  StoreName          2      (eg)
          23  DeleteName         2      (eg)
          24  ListAppend         2
          25  Jump               27     (to 27)
          26  PopTop
     5    27  LoadName           4      (TypeError)
          28  CheckEgMatch
          29  Copy               1
          30  PopJumpIfNone      35     (to 35)
          31  PopTop
          32  Jump               36     (to 36)
          33  ListAppend         2
          34  Jump               36     (to 36)
          35  PopTop
     1    36  PrepReraiseStar
          37  Copy               1
          38  PopJumpIfNone      40     (to 40)
          39  Reraise
          40  PopTop
          41  PopExcept
          42  Jump               46     (to 46)
          43  Swap               2
          44  PopExcept
          45  Reraise
          46  ReturnConst        0      (None)
          47  ReturnValue
  exception table:
    0 to 3 -> 4 [depth 0]
    4 to 13 -> 43 [depth 1]
    13 to 17 -> 21 [depth 4]
    17 to 41 -> 43 [depth 1]
"#,
    );
}

#[test]
fn generators_and_async() {
    check(
        r#"
def g():
    x = yield 1
    yield from h()
    return [i * j for i in x if i for j in i]
async def a():
    async for v in s:
        await v
    async with m as n:
        pass"#,
        r#"
Disassembly of <module> (Module, qualname <module>):
     1     0  LoadConst          0      (<code g>)
           1  MakeFunction       0
           2  StoreName          0      (g)
     5     3  LoadConst          1      (<code a>)
           4  MakeFunction       0
           5  StoreName          1      (a)
     1     6  ReturnConst        2      (None)
           7  ReturnValue

Disassembly of g (Generator, qualname g):
  varnames: x
     2     0  LoadConst          1      (1)
           1  YieldValue
           2  StoreLocal         0      (x)
     3     3  LoadGlobal         0      (h)
           4  Call               0
           5  GetYieldFromIter
           6  LoadConst          0      (None)
           7  Send               8      (to 8)
           8  PopTop
     4     9  LoadConst          2      (<code g.<locals>.<listcomp>>)
          10  MakeFunction       0
          11  LoadLocal          0      (x)
          12  GetIter
          13  Call               1
          14  ReturnValue
     1    15  ReturnConst        0      (None)
          16  ReturnValue

Disassembly of <listcomp> (Function, qualname g.<locals>.<listcomp>):
  args: 1 positional (0 positional-only), 0 keyword-only
  varnames: .0, i, j
     4     0  BuildList          0
           1  LoadLocal          0      (.0)
           2  ForIter            16     (to 16)
           3  StoreLocal         1      (i)
           4  LoadLocal          1      (i)
           5  PopJumpIfFalse     2      (to 2)
           6  LoadLocal          1      (i)
           7  GetIter
           8  ForIter            15     (to 15)
           9  StoreLocal         2      (j)
          10  LoadLocal2         1 2    (i, j)
          11  LoadLocal          2      (j)
          12  Binary             (*)
          13  ListAppend         3
          14  Jump               8      (to 8)
          15  Jump               2      (to 2)
          16  ReturnValue

Disassembly of a (Coroutine, qualname a):
  varnames: v, n
     6     0  LoadGlobal         0      (s)
           1  GetAIter
           2  GetANext
           3  LoadConst          0      (None)
           4  Send               5      (to 5)
           5  StoreLocal         0      (v)
     7     6  LoadLocal          0      (v)
           7  GetAwaitable
           8  LoadConst          0      (None)
           9  Send               10     (to 10)
          10  PopTop
     6    11  Jump               2      (to 2)
          12  EndAsyncFor
     8    13  LoadGlobal         1      (m)
          14  BeforeAsyncWith
          15  GetAwaitable
          16  LoadConst          0      (None)
          17  Send               18     (to 18)
          18  StoreLocal         1      (n)
          19  LoadConst          0      (None)
          20  LoadConst          0      (None)
          21  LoadConst          0      (None)
          22  Call               3
          23  GetAwaitable
          24  LoadConst          0      (None)
          25  Send               26     (to 26)
          26  PopTop
          27  Jump               42     (to 42)
          28  PushExcInfo
          29  WithExceptStart
          30  GetAwaitable
          31  LoadConst          0      (None)
          32  Send               33     (to 33)
          33  PopJumpIfTrue      35     (to 35)
          34  Reraise
          35  PopTop
          36  PopExcept
          37  PopTop
          38  Jump               42     (to 42)
          39  Swap               2
          40  PopExcept
          41  Reraise
     5    42  ReturnConst        0      (None)
          43  ReturnValue
  exception table:
    2 to 5 -> 12 [depth 1]
    18 to 19 -> 28 [depth 1]
    28 to 35 -> 39 [depth 2]
"#,
    );
}

#[test]
fn loop_exits() {
    check(
        r#"
def f(xs):
    while True:
        for x in xs:
            try:
                if x:
                    break
                continue
            finally:
                g()
        else:
            return 1"#,
        r#"
Disassembly of <module> (Module, qualname <module>):
     1     0  LoadConst          0      (<code f>)
           1  MakeFunction       0
           2  StoreName          0      (f)
           3  ReturnConst        1      (None)
           4  ReturnValue

Disassembly of f (Function, qualname f):
  args: 1 positional (0 positional-only), 0 keyword-only
  varnames: xs, x
     3     0  LoadLocal          0      (xs)
           1  GetIter
           2  ForIter            28     (to 28)
           3  StoreLocal         1      (x)
     5     4  LoadLocal          1      (x)
           5  PopJumpIfFalse     11     (to 11)
     9     6  LoadGlobal         0      (g)
           7  Call               0
           8  PopTop
     6     9  PopTop
          10  Jump               30     (to 30)
     9    11  LoadGlobal         0      (g)
          12  Call               0
          13  PopTop
     7    14  Jump               2      (to 2)
     9    15  LoadGlobal         0      (g)
          16  Call               0
          17  PopTop
     4    18  Jump               27     (to 27)
          19  PushExcInfo
     9    20  LoadGlobal         0      (g)
          21  Call               0
          22  PopTop
     4    23  Reraise
          24  Swap               2
          25  PopExcept
          26  Reraise
     3    27  Jump               2      (to 2)
    11    28  ReturnConst        1      (1)
          29  ReturnValue
     2    30  Jump               0      (to 0)
     1    31  ReturnConst        0      (None)
          32  ReturnValue
  exception table:
    4 to 6 -> 19 [depth 1]
    19 to 24 -> 24 [depth 2]
"#,
    );
}

#[test]
fn try_except_finally() {
    check(
        r#"
try:
    f()
except E as e:
    g(e)
except:
    pass
else:
    h()
finally:
    k()"#,
        r#"
Disassembly of <module> (Module, qualname <module>):
     2     0  LoadName           0      (f)
           1  Call               0
           2  PopTop
     8     3  LoadName           1      (h)
           4  Call               0
           5  PopTop
     1     6  Jump               32     (to 32)
           7  PushExcInfo
     3     8  LoadName           2      (E)
           9  CheckExcMatch
          10  PopJumpIfFalse     25     (to 25)
          11  StoreName          3      (e)
     4    12  LoadName           4      (g)
          13  LoadName           3      (e)
          14  Call               1
          15  PopTop
     3    16  PopExcept
          17  LoadConst          0      (None)
          18  StoreName          3      (e)
          19  DeleteName         3      (e)
          20  Jump               32     (to 32)
          21  LoadConst          0      (None)
          22  StoreName          3      (e)
          23  DeleteName         3      (e)
          24  Reraise
     5    25  PopTop
          26  PopExcept
          27  Jump               32     (to 32)
     1    28  Reraise
          29  Swap               2
          30  PopExcept
          31  Reraise
    10    32  LoadName           5      (k)
          33  Call               0
          34  PopTop
     1    35  Jump               44     (to 44)
          36  PushExcInfo
    10    37  LoadName           5      (k)
          38  Call               0
          39  PopTop
     1    40  Reraise
          41  Swap               2
          42  PopExcept
          43  Reraise
          44  ReturnConst        0      (None)
          45  ReturnValue
  exception table:
    0 to 3 -> 7 [depth 0]
    3 to 7 -> 36 [depth 0]
    7 to 12 -> 29 [depth 1]
    12 to 16 -> 21 [depth 1]
    16 to 21 -> 36 [depth 0]
    21 to 26 -> 29 [depth 1]
    26 to 28 -> 36 [depth 0]
    28 to 29 -> 29 [depth 1]
    29 to 32 -> 36 [depth 0]
    36 to 41 -> 41 [depth 1]
"#,
    );
}

/// A number literal as the right operand fuses into `BinaryConst`/`CompareConstJump`; a
/// string (kept for in-place concatenation) or a constant on the left does not.
#[test]
fn number_constant_operands() {
    check(
        r#"
def f(n, s):
    if n < 2:
        return n - 1.5
    return s + "x", n * -2, 1 + n"#,
        r#"
Disassembly of <module> (Module, qualname <module>):
     1     0  LoadConst          0      (<code f>)
           1  MakeFunction       0
           2  StoreName          0      (f)
           3  ReturnConst        1      (None)
           4  ReturnValue

Disassembly of f (Function, qualname f):
  args: 2 positional (0 positional-only), 0 keyword-only
  varnames: n, s
     2     0  LoadLocalInto      0      (n)
           1  CompareConstJump   1 5    (< 2 false: to 5)
     3     2  LoadLocalInto      0      (n)
           3  BinaryConst        2      (- 1.5)
           4  ReturnValue
     4     5  LoadLocal          1      (s)
           6  LoadConst          3      ('x')
           7  Binary             (+)
           8  LoadLocalInto      0      (n)
           9  BinaryConst        4      (* -2)
          10  LoadConst          5      (1)
          11  LoadLocal          0      (n)
          12  Binary             (+)
          13  BuildTuple         3
          14  ReturnValue
     1    15  ReturnConst        0      (None)
          16  ReturnValue"#,
    );
}
