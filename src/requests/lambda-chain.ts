/**
 * Lambda's recursive loop detection counts the invocations of a chain: each request a function
 * makes through a supported AWS SDK carries the X-Ray trace header of the invocation that made it
 * (the SDK copies `_X_AMZN_TRACE_ID` into `X-Amzn-Trace-Id`), whose `Lineage` field counts how
 * many times the function has been invoked in that chain. Past 16, Lambda stops the next
 * invocation (an async event goes to the failure destination or is dropped) and notifies the
 * account. A continuation is such a chain: the submit's invocation dispatches the first worker
 * (invocation 2), and each continuation it dispatches itself adds one.
 *
 * So a continuation invokes the function directly only while the chain stays well below the
 * limit (CONTINUATION_CHAIN_MAX hops, 12 by default); the next one is handed back with its sweep
 * entry due at once, and the sweeper, whose invocation the schedule starts outside any chain,
 * dispatches it: a new chain, after at most one sweep interval. Loop detection stays on for the
 * function (Terraform sets it to Terminate), and a request can still run for as long as its
 * deadline allows.
 *
 * The hops are counted in the events (`hops` in a continuation's process event; none in the
 * submit's or the sweeper's), as Lambda counts the chain: in what each invocation carries. A count
 * kept in the item would be reset when the sweeper starts a new chain, while a late event of the
 * old chain, near the limit, could still be the one that claims the request.
 */
export function nextContinuation(chainHops: number, chainMax: number): { chainHops: number; dispatch: boolean } {
  const hops = chainHops + 1;
  return hops <= chainMax ? { chainHops: hops, dispatch: true } : { chainHops, dispatch: false };
}
