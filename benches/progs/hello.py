# start-up: one print.
print("hello, world")
