def risky(kind):
    if kind == 0:
        raise ValueError("bad value")
    if kind == 1:
        return {}["missing"]
    if kind == 2:
        return 1 // 0
    return "fine"

for kind in range(4):
    try:
        result = risky(kind)
    except (ValueError, ZeroDivisionError) as e:
        print("caught", repr(e))
    except LookupError as e:
        print("lookup", repr(e))
    else:
        print("else", result)
    finally:
        print("finally", kind)

try:
    try:
        raise ValueError("inner")
    except ValueError:
        raise
except Exception as outer:
    print("reraised", outer)

def nested():
    try:
        raise TypeError("t")
    except TypeError:
        try:
            raise ValueError("v")
        except ValueError as e:
            print("inner handler", e)
        raise

try:
    nested()
except TypeError as e:
    print("outer got", e)

try:
    assert 1 == 2, "nope"
except AssertionError as e:
    print("assert", e)

e = "kept?"
try:
    raise RuntimeError("x")
except RuntimeError as e:
    pass
try:
    print(e)
except NameError:
    print("e was deleted")

try:
    raise ValueError("from") from KeyError("cause")
except ValueError as err:
    print("with cause", err)
