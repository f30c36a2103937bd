"""Supply-risk analyses over the contract-manufacturing graph."""
