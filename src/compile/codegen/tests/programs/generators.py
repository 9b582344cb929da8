def count(n):
    i = 0
    while i < n:
        got = yield i
        if got:
            print("got", got)
        i += 1
    return "done"

print(list(count(3)))
g = count(5)
print(next(g), next(g), g.send("hello"))

def delegate():
    result = yield from count(2)
    print("result", result)
    yield from [10, 20]

print(list(delegate()))

def gen_finally():
    try:
        yield 1
        yield 2
    finally:
        print("gen cleanup")

for v in gen_finally():
    print("v", v)

squares = (x * x for x in range(4) if x)
print(list(squares), sum_ := 0)
print([y for y in (x + 1 for x in range(3))])
