"""A C++ class registered with register_type, used from unmodified Python.

usage: run_with_server.py maths_host --python 127.0.0.1:0 -- registered_class.py
(HOST PORT AUTHKEY come first)

The tutorial's Maths example as a Python client writes it: register('Maths')
gives an AutoProxy whose methods are those the C++ side exposed; a method
exposed with a result type id ('results' -> list) comes back as a proxy
(#PROXY); get_methods names the exposed methods; a C++ type error is
Python's TypeError, another C++ exception a RemoteError with its text.
"""
import sys
from multiprocessing import managers
from multiprocessing.managers import BaseManager, ListProxy, RemoteError

host, port, key = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()


class MyManager(BaseManager):
    pass


MyManager.register("Maths")
MyManager.register("list", proxytype=ListProxy)  # what 'results' returns

m = MyManager((host, port), authkey=key)
m.connect()
maths = m.Maths()
assert maths.add(4, 3) == 7, maths.add(4, 3)
assert maths.mul(4, 3) == 12
assert type(maths).__name__ == "AutoProxy[Maths]", type(maths).__name__
assert set(maths._exposed_) == {"add", "mul", "div", "results"}, maths._exposed_

# get_methods, as AutoProxy asks when it is made without the exposed names.
conn = m._Client(m._address, authkey=m._authkey)
try:
    methods = managers.dispatch(conn, None, "get_methods", (maths._token,))
finally:
    conn.close()
assert set(methods) == {"add", "mul", "div", "results"}, methods
again = managers.AutoProxy(maths._token, "pickle", manager=m, authkey=key)
assert again.add(1, 1) == 2

results = maths.results()
assert isinstance(results, ListProxy), type(results)
assert list(results) == [7, 12, 2], list(results)
results.append(99)  # a list object of its own, not the C++ member
assert len(maths.results()) == 3

try:
    maths.add("4", 3)
    raise AssertionError("a str for an int was taken")
except TypeError as e:
    assert "add()" in str(e), e
try:
    maths.div(1, 0)
    raise AssertionError("division by zero returned")
except RemoteError as e:
    assert "division by zero" in str(e), e
try:
    maths.sub(1, 1)
    raise AssertionError("a method that is not exposed ran")
except AttributeError:
    pass
assert maths.div(9, 2) == 4

# Objects are freed when their last Python proxy goes.
before = m._number_of_objects()
extra = m.Maths()
assert m._number_of_objects() == before + 1
del extra
assert m._number_of_objects() == before, (m._number_of_objects(), before)
print("registered class: ok")
