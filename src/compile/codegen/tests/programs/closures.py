def counter():
    count = 0
    def inc(step=1):
        nonlocal count
        count += step
        return count
    return inc

c = counter()
c()
c(5)
print(c())

def make_adders():
    return [lambda x, i=i: x + i for i in range(3)]

print([f(10) for f in make_adders()])

def late():
    fs = []
    for i in range(3):
        fs.append(lambda: i)
    return [f() for f in fs]

print(late())

def outer(a, *args, b=2, **kw):
    def inner():
        return a, args, b, kw
    return inner()

print(outer(1, 2, 3, b=4, c=5))
print(outer(*[1, 2], **{"d": 6}))

x = 10
def uses_global():
    global x
    x += 1
    return x
print(uses_global(), x)

def walrus():
    ys = [y := i * 2 for i in range(3)]
    return ys, y
print(walrus())
