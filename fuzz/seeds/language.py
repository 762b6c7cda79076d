# A seed exercising the whole config language for the fuzzer.
a = 1 + 2 * 3 - 4 // 3 % 2 ** 3
b = [1, 2.5, 'x', "y", None, True, False, (1, ), (1, 2), {'k': [1]}]
c = dict(x=1, **dict(y=2))
d = {i: 1 + int(i >= 3) for i in range(6)}
e = [x * 2 for x in range(4) if x % 2 == 0]
f = f'{a}-{b[0]:03d}-{c["x"]!r}'
g = 'a' 'b' "%s-%d" % ('x', 3)
h = a if a > 3 and not False else -a
i = len(b) + min(1, 2) + max([3, 4]) + sum([1, 2]) + abs(-1) + round(2.5)
j = str(1.5) + str(int('3')) + str(float('1e-4')) + str(bool(0))
k = b[1:3] + b[::-1][:2]
gpu_ids = range(0, 1)
l = 1e-4, .5, 0x1F, 1_000
m = """triple
quoted""" \
    + 'continued'
