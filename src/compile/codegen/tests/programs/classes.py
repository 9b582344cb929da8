class Base:
    kind = "base"
    def __init__(self, name):
        self.name = name
    def describe(self):
        return self.kind + ":" + self.name

class Child(Base):
    kind = "child"
    def __init__(self, name, extra):
        super().__init__(name)
        self.extra = extra
    def describe(self):
        return super().describe() + "+" + self.extra
    def cls_name(self):
        return __class__.__name__

c = Child("c", "x")
print(c.describe(), c.cls_name(), c.kind, Base.kind)

x = "global x"
class Scope:
    x = "class x"
    doubled = x + "!"
    names = [x for _ in range(1)]
    def method(self):
        return x
print(Scope.doubled, Scope.names, Scope().method())

def factory(tag):
    class Tagged:
        label = tag
        def show(self):
            return self.label + tag
    return Tagged

print(factory("a")().show())

def outer():
    v = "outer v"
    class Inner:
        v = "inner v"
        w = v
        def get(self):
            return v
    return Inner.w, Inner().get()
print(outer())

class Counter:
    count = 0
    def bump(self):
        self.count += 1
        return self.count
k = Counter()
print(k.bump(), k.bump(), Counter.count)
