async def child(n):
    await sleep0()
    return n * 2

async def agen(n):
    for i in range(n):
        await sleep0()
        yield i

async def main():
    total = await child(5)
    async for v in agen(3):
        total += v
    doubled = [await child(i) async for i in agen(3)]
    gathered = [x async for x in agen(2)]
    try:
        async for w in agen(2):
            if w == 1:
                raise ValueError("stop")
    except ValueError as e:
        print("caught", e)
    for i in range(3):
        async for w in agen(5):
            if w == 2:
                break
            if w == 0:
                continue
        else:
            print("not reached")
    return total, doubled, gathered

print(run(main()))
