"""The native module inside the `cogov` package (Rust, through PyO3). Use the functions of `cogov`."""

import os
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

_Path = Union[str, os.PathLike[str]]
_Column = Tuple[str, Union[bytes, List[Optional[str]]]]
_Table = Tuple[List[str], List[_Column]]

def version() -> str: ...
def load(path: _Path, set: Optional[Dict[str, Any]] = None) -> Dict[str, Any]: ...
def resolve(scenario: Union[_Path, Dict[str, Any]], set: Optional[Dict[str, Any]] = None) -> Dict[str, Any]: ...
def load_shipped(name: str, set: Optional[Dict[str, Any]] = None) -> Dict[str, Any]: ...
def shipped_names() -> List[str]: ...
def simulate(
    command: str,
    scenarios: Sequence[Union[_Path, Dict[str, Any]]],
    replicates: Optional[int] = None,
    seed: Optional[int] = None,
    steps: Optional[int] = None,
    threads: Optional[int] = None,
    set: Optional[Dict[str, Any]] = None,
) -> Tuple[Dict[str, _Table], str]: ...
def sweep(
    path: _Path,
    out: _Path,
    force: bool = False,
    resume: bool = False,
    replicates: Optional[int] = None,
    seed: Optional[int] = None,
    steps: Optional[int] = None,
    threads: Optional[int] = None,
    set: Optional[Dict[str, Any]] = None,
) -> str: ...
def params() -> _Table: ...
