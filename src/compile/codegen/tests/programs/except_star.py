try:
    raise ExceptionGroup("eg", [ValueError(1), TypeError(2), KeyError(3)])
except* ValueError as eg:
    print("values", repr(eg))
except* TypeError as eg:
    print("types", repr(eg))
except* KeyError:
    print("keys")
print("after")

try:
    try:
        raise ExceptionGroup("eg", [ValueError(1), TypeError(2)])
    except* ValueError:
        print("handled values")
except ExceptionGroup as rest:
    print("rest", repr(rest))

try:
    try:
        raise ExceptionGroup("eg", [ValueError(1)])
    except* ValueError:
        raise KeyError("new")
except KeyError as e:
    print("raised", repr(e))

try:
    raise ValueError("naked")
except* ValueError as eg:
    print("naked", repr(eg))

def f():
    for i in range(2):
        try:
            raise ExceptionGroup("g", [TypeError(i)])
        except* TypeError as eg:
            print("loop", repr(eg))
        finally:
            print("finally", i)
    return "ok"
print(f())
