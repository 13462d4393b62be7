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

    /// <summary>A last-used time this close to the one already held is not recorded again (see <see cref="Touch"/>).</summary>
    public static readonly TimeSpan Resolution = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Every request of a key touches the same entry, so a time within <see cref="Resolution"/> of the one held is
    /// answered from a read, without AddOrUpdate's lock on that entry: a last-used time is then up to a second early.
    /// </summary>
    public void Touch(long keyId, DateTime at)
    {
        if (_seen.TryGetValue(keyId, out var held) && held > at - Resolution) return;
        _seen.AddOrUpdate(keyId, at, (_, old) => at > old ? at : old);
    }

    public IReadOnlyList<KeyValuePair<long, DateTime>> Drain()
    {
        var drained = new List<KeyValuePair<long, DateTime>>();
        foreach (var id in _seen.Keys)
            if (_seen.TryRemove(id, out var at)) drained.Add(new(id, at));
        return drained;
    }
}
