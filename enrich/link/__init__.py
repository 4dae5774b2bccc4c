"""Record linkage: blocking, comparisons, a Fellegi–Sunter model, clustering."""
