"""The audit trail: who changed what, when, from which state to which, and why.

Every app writes its entries through `trail`, in the transaction of the change it records;
the trail imports no app, so any of them may use it.
"""
