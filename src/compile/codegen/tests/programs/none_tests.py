def walk(items):
    out = []
    for item in items:
        if item is None:
            out.append("none")
        elif item is not None and item:
            out.append(item)
        if not (item is not None):
            out.append("again")
        while item is not None:
            item = None
    return out

print(walk([None, 1, 0, None]))
print([x for x in [None, 2] if x is not None], 1 if None is None else 2)
