// Preloaded before every test file (bunfig.toml): real provider credentials in the environment
// would make the default catalog's offerings live and send test traffic to real APIs.
for (const name of ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'OPENHOST_API_KEY']) delete process.env[name]
