total = 0
for i in range(10):
    if i % 2 == 0:
        continue
    if i > 7:
        break
    total += i
else:
    print("no break")
print(total)
n = 0
while n < 3:
    n += 1
else:
    print("while else", n)
while True:
    n -= 1
    if not n:
        break
print(n, 1 < 2 < 3, 1 < 3 < 2, 3 > 2 == 2, not (1 and 0) or 5)
