with cm("a") as name:
    print("body", name)

with cm("suppress1"):
    raise ValueError("hidden")
print("after suppress")

try:
    with cm("b"), cm("c") as c:
        print("inner", c)
        raise KeyError("k")
except KeyError:
    print("propagated")

def ret():
    with cm("d"):
        return "from with"

print(ret())

for i in range(3):
    with cm("loop" + str(i)):
        if i == 0:
            continue
        if i == 1:
            break
print("done")
