// njs handler for upstream-delay.conf: 50 ms, then 200 {} for the right key, 401 otherwise.
function answer(r) {
    if (r.headersIn['xi-api-key'] !== 'sk_bench_relay') {
        return r.return(401, '{"detail":{"status":"invalid_api_key"}}');
    }
    r.return(200, '{}');
}

function delayed(r) {
    setTimeout(answer, 50, r);
}

export default { delayed };
