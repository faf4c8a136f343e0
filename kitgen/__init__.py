"""kitgen: the after-sales service certification kit (GB/T 27922-2011) from one company profile.

Library use (no click needed)::

    import kitgen
    profile = kitgen.load_profile("client.yaml")
    plan = kitgen.plan(profile)
    result = kitgen.build("client.yaml", "out/")
"""
from kitgen._version import __version__ as __version__


def load_profile(*args, **kwargs):
    from kitgen.api import load_profile as _f
    return _f(*args, **kwargs)


def plan(*args, **kwargs):
    from kitgen.api import plan as _f
    return _f(*args, **kwargs)


def build(*args, **kwargs):
    from kitgen.api import build as _f
    return _f(*args, **kwargs)
