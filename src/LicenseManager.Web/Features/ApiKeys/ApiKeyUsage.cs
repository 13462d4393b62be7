using System.Collections.Concurrent;

namespace LicenseManager.Web.Features.ApiKeys;

/// <summary>
/// Last-used times of API keys, recorded in memory on the request path and written by <see cref="ApiKeyUsageFlush"/>
/// at most once per flush interval, so a license check never writes to the database. A crash loses at most one
/// interval of last-used times, which is acceptable for a statistic.
/// </summary>
public sealed class ApiKeyUsage
{
    private readonly ConcurrentDictionary<long, DateTime> _seen = new();

    public void Touch(long keyId, DateTime at) => _seen.AddOrUpdate(keyId, at, (_, old) => at > old ? at : old);

    public IReadOnlyList<KeyValuePair<long, DateTime>> Drain()
    {
        var drained = new List<KeyValuePair<long, DateTime>>();
        foreach (var id in _seen.Keys)
            if (_seen.TryRemove(id, out var at)) drained.Add(new(id, at));
        return drained;
    }
}
