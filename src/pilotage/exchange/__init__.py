"""Exchange with other tools: file imports with a preview, exports, calendar subscriptions."""
