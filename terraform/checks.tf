# Warnings about choices that are allowed but rarely meant. A check never stops a plan or apply;
# Terraform prints its message as a warning.

# Anyone may call the API (auth = "none", or the REST API without its key), and a callback_url may name any
# public host: anyone can make the function send signed POSTs to a host of their choice.
check "callback_hosts_on_a_public_api" {
  assert {
    condition     = !local.anyone_can_call || length(var.callback_allowed_hosts) > 0
    error_message = "Anyone can call this API (auth = \"none\", or api_key_required = false) and callback_allowed_hosts is empty: anyone can make the function POST to any public host. List the hosts your receivers use in callback_allowed_hosts, or require a key (see README, \"Safe by default\")."
  }
}
