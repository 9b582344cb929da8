def f(xs):
    out = []
    for x in xs:
        try:
            try:
                if x == 1:
                    continue
                if x == 3:
                    break
                if x == 4:
                    return "ret"
                out.append(x)
            finally:
                out.append("f" + str(x))
        finally:
            out.append("g" + str(x))
    return out

print(f([0, 1, 2, 3]))
print(f([4]))

def g():
    try:
        return "try"
    finally:
        print("finally runs")

print(g())

def h():
    for i in range(3):
        try:
            raise ValueError(i)
        except ValueError as e:
            if i == 1:
                return "returned " + str(e)
        finally:
            print("h finally", i)

print(h())

def override():
    try:
        return 1
    finally:
        return 2

print(override())

def swallow():
    for i in range(2):
        try:
            raise KeyError("k")
        finally:
            continue
    return "swallowed"

print(swallow())
