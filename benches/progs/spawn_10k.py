# growth: create 10,000 tasks that each await sleep(0) once, then gather them (see spawn.py).
import asyncio


async def worker(i):
    await asyncio.sleep(0)
    return i % 10


async def main():
    rounds = 1
    total = 0
    for r in range(rounds):
        tasks = []
        for i in range(10000):
            tasks.append(asyncio.create_task(worker(i + r)))
        results = await asyncio.gather(*tasks)
        total += sum(results) + len(results)
    print(f"spawn_10k checksum {total}")


asyncio.run(main())
