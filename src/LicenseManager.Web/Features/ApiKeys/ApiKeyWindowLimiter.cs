using System.Threading.RateLimiting;

namespace LicenseManager.Web.Features.ApiKeys;

/// <summary>
/// One API key's fixed window on this node: <c>PermitLimit</c> requests from the first request of a window until
/// <c>Window</c> later. Written here rather than taken from <see cref="FixedWindowRateLimiter"/> because that one tells a
/// refused caller to wait a whole window (its RetryAfter is the window length, not what is left of it) and reads the
/// machine clock; this one answers the time left in the window, on the app's <see cref="TimeProvider"/>.
/// </summary>
public sealed class ApiKeyWindowLimiter(int permitLimit, TimeSpan window, TimeProvider time) : RateLimiter
{
    private readonly Lock _gate = new();
    private DateTimeOffset _windowEnds = DateTimeOffset.MinValue;
    private int _used;
    private long _refused;
    private long _granted;

    public override TimeSpan? IdleDuration
    {
        get
        {
            // Idle only once its last window has closed: a limiter dropped and re-created mid-window would hand out a fresh budget.
            lock (_gate)
            {
                var now = time.GetUtcNow();
                return now >= _windowEnds ? now - (_windowEnds == DateTimeOffset.MinValue ? now : _windowEnds) : null;
            }
        }
    }

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_gate)
            return new RateLimiterStatistics
            {
                CurrentAvailablePermits = time.GetUtcNow() >= _windowEnds ? permitLimit : permitLimit - _used,
                CurrentQueuedCount = 0,
                TotalFailedLeases = _refused,
                TotalSuccessfulLeases = _granted,
            };
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (now >= _windowEnds)
            {
                _windowEnds = now + window;
                _used = 0;
            }
            if (permitCount == 0) return _used < permitLimit ? Lease.Granted : Refuse(now);
            if (permitCount <= permitLimit - _used)
            {
                _used += permitCount;
                _granted++;
                return Lease.Granted;
            }
            return Refuse(now);
        }
    }

    private Lease Refuse(DateTimeOffset now)
    {
        _refused++;
        return new Lease(false, _windowEnds - now);
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(permitCount)); // no queue: a refused request is answered 429 at once

    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly Lease Granted = new(true, null);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            if (retryAfter is { } wait && metadataName == MetadataName.RetryAfter.Name)
            {
                metadata = wait;
                return true;
            }
            metadata = null;
            return false;
        }
    }
}
