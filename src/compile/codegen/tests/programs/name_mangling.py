class Account:
    def __init__(self, owner):
        self.__balance = 0
        self.owner = owner
    def deposit(self, amount):
        self.__balance += amount
        return self.__balance
    def __secret(self):
        return "secret " + self.owner
    def reveal(self):
        return self.__secret()

a = Account("ann")
print(a.deposit(5), a.reveal())
try:
    print(a.__balance)
except AttributeError:
    print("no __balance")
print(a._Account__balance)

class _Hidden:
    def __init__(self):
        __local = 3
        self.__v = [__local for _ in range(2)]
        self.__dunder__ = "kept"

h = _Hidden()
print(h._Hidden__v, h.__dunder__)
