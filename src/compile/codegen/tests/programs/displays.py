a = [1, 2]
b = (3, 4)
print([*a, *b, 5], (0, *a), {**{"x": 1}, "y": 2})
first, *rest = [1, 2, 3, 4]
print(first, rest)
x, (y, z) = 1, (2, 3)
print(x, y, z)
head, *mid, tail = "abcd"
print(head, mid, tail)
d = {"k": 1}
d["k"] += 10
lst = [1, 2, 3]
lst[0] += 5
lst += [9]
print(d, lst)
print({k: v for k, v in [("a", 1), ("b", 2)]})
print([i * j for i in range(1, 3) for j in range(3) if j])
name = "w"
print(f"{name!r} and {lst} {len(lst)}", "-".join(["a", "b"]).upper())
print((), (1,), -5, [] or "empty", 0 and 1)
