async def main():
    async with acm("a") as n:
        print("body", n)
    async with acm("suppress"):
        raise ValueError("x")
    try:
        async with acm("b"):
            await sleep0()
            raise KeyError("k")
    except KeyError:
        print("propagated")
    for i in range(2):
        async with acm("l" + str(i)):
            if i == 0:
                continue
            return "returned"

print(run(main()))
