"""Pure computational engines (scheduling, leveling, earned value, risk): no Django here."""
