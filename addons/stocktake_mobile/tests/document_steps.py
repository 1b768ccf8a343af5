"""The steps of the document flows' browser test case (test_documents.py)
for the other flow tests: its methods, not the class itself (bound in a
test module, its tests would run there twice)."""
from . import test_documents


def steps(*names):
    "The methods of DocumentFlowTestCase with these names"
    case = test_documents.DocumentFlowTestCase
    return [getattr(case, name) for name in names]
