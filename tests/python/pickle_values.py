"""The values the pickle tests share with tests/python/pickle_values.hpp.

Each name here has a C++ twin in pickle_values.hpp: make_pickle_fixtures.py
pickles these with CPython (the C++ reader must read them as the twins), and
check_pickle_writer.py loads what the C++ writer made of the twins (CPython
must get these back).
"""
import queue
from multiprocessing.managers import Token, DictProxy

TOKEN = Token('dict', ('127.0.0.1', 50102), '7f0b74f20a00')


def proxy(cls, **kw):
    return cls(TOKEN, 'pickle', authkey=b'k', incref=False, **kw)


_shared = [1, 2]

VALUES = {
    'none': None,
    'true': True,
    'false': False,
    'int_small': 5,
    'int_zero': 0,
    'int_neg': -1,
    'int_300': 300,
    'int_70000': 70000,
    'int_below_i32': -2**31 - 1,
    'int_2_40': 2**40,
    'int64_max': 2**63 - 1,
    'int64_min': -2**63,
    'uint64_max': 2**64 - 1,
    'big_pos': 2**70,
    'big_neg': -2**70 - 1,
    'googol': 10**100,
    'float': 2.5,
    'float_neg_zero': -0.0,
    'float_inf': float('inf'),
    'float_tiny': 5e-324,
    'str': 'three',
    'str_empty': '',
    'str_unicode': 'h\u00e9llo \u2713 \U0001f600',
    'str_long': 'x' * 300,
    'bytes': b'four',
    'bytes_empty': b'',
    'bytes_high': b'\x00\xff\x80',
    'bytes_long': b'y' * 300,
    'bytearray': bytearray(b'xy'),
    'bytearray_empty': bytearray(),
    'tuple_empty': (),
    'tuple1': (1,),
    'tuple3': (5, None, True),
    'tuple5': (1, 2, 3, 4, 5),
    'list': [1, 2.5, 'three', b'four', (5, None, True)],
    'list_empty': [],
    'list_long': list(range(1500)),
    'dict': {'x': [1, 2]},
    'dict_empty': {},
    'dict_int_keys': {1: 'a', 2: 'b'},
    'dict_mixed_keys': {'a': 1, 2: 'b', (1, 't'): None, b'k': 1.5, None: 0, 2.5: 'f'},
    'dict_nested': {'outer': {3: {4: 5}}},
    'dict_tag_key': {'__py__': 'x', 'v': 1},
    'set': {1, 2, 3},
    'set_empty': set(),
    'frozenset': frozenset({'a'}),
    'frozenset_empty': frozenset(),
    'set_of_tuples': {(1, 2), frozenset({3})},
    'shared': [_shared, _shared],
    'slice': slice(1, 10, 2),
    'range': range(0, 10, 3),
    'token': TOKEN,
    'key_error': KeyError('missing'),
    'queue_empty': queue.Empty(),
    'request': ('7f0b74f21250', 'put', ({'x': [1, 2.5, 'three', b'four', (5, None, True)]},),
                {'timeout': 0.1}),
    'proxy': proxy(DictProxy),
}


def canon(x):
    """A comparable, type-exact form of a value (1, 1.0 and True differ)."""
    t = type(x).__name__
    if isinstance(x, float):
        return (t, x.hex())
    if isinstance(x, (list, tuple)):
        return (t, [canon(i) for i in x])
    if isinstance(x, (set, frozenset)):
        return (t, sorted((canon(i) for i in x), key=repr))
    if isinstance(x, dict):
        return (t, sorted(((canon(k), canon(v)) for k, v in x.items()), key=repr))
    if isinstance(x, Token):
        return (t, canon((x.typeid, x.address, x.id)))
    if isinstance(x, BaseException):
        return (type(x).__module__ + '.' + type(x).__qualname__, canon(x.args))
    if isinstance(x, (slice, range)):
        return (t, canon((x.start, x.stop, x.step)))
    if hasattr(x, '_token'):  # a proxy
        return (t, canon(x._token))
    return (t, x)
