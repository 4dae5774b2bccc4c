"""`enrich profile`: order exports linked to a master's customers, profiled (orders, revenue,
RFM) and segmented (rules/orders.toml, rules/segments.toml)."""
