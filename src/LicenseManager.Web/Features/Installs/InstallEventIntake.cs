using System.Threading.Channels;

namespace LicenseManager.Web.Features.Installs;

/// <summary>
/// Group commit for the ingest endpoint. Concurrent requests hand their validated event to one writer per node,
/// which stores whatever has queued up (up to <see cref="MaxBatch"/>) in one transaction and then answers each
/// request. A launch-day burst costs one commit per batch instead of one per request, and on SQLite the requests
/// no longer queue for the single write lock one by one.
/// Nothing is acknowledged before it is committed: a request gets its 202 only after its batch is stored, so an
/// event queued here when the process dies was never acknowledged and the platform sends it again.
/// </summary>
public sealed class InstallEventIntake(IServiceScopeFactory scopes, ILogger<InstallEventIntake> logger) : BackgroundService
{
    public const int MaxBatch = 500;
    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(10_000)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private sealed record Pending(AcceptedInstallEvent Event, TaskCompletionSource<bool> Stored);

    /// <returns>True when the event was stored now; false when this event id was already stored.</returns>
    public async Task<bool> AppendAsync(InstallEventRequest request, string rawJson, CancellationToken ct)
    {
        var pending = new Pending(new AcceptedInstallEvent(request, rawJson), new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            await _queue.Writer.WriteAsync(pending, ct);
        }
        catch (ChannelClosedException)
        {
            // The writer has stopped (the node is shutting down) while requests still arrive: store this one directly.
            return (await AppendAsync([pending.Event]))[0];
        }
        // A request that gives up after this point may still be stored: harmless, event ids are unique.
        return await pending.Stored.Task.WaitAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>(MaxBatch);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next)) batch.Add(next);
                await WriteAsync(batch);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The node is stopping: store what is still queued so no waiting request is left hanging (requests that
            // arrive after this store their event directly, see AppendAsync).
            _queue.Writer.TryComplete();
            while (_queue.Reader.TryRead(out var next)) batch.Add(next);
            if (batch.Count > 0) await WriteAsync(batch);
        }
    }

    private async Task WriteAsync(List<Pending> batch)
    {
        try
        {
            var stored = await AppendAsync(batch.Select(p => p.Event).ToList());
            for (var i = 0; i < batch.Count; i++) batch[i].Stored.TrySetResult(stored[i]);
        }
        catch (Exception e) when (batch.Count > 1)
        {
            // One event (or a race with another node on an event id) broke the batch: store them one by one so only
            // the event that can't be stored fails.
            logger.LogWarning(e, "Storing {Count} install events as one batch failed; storing them one by one", batch.Count);
            foreach (var p in batch)
            {
                try
                {
                    p.Stored.TrySetResult((await AppendAsync([p.Event]))[0]);
                }
                catch (Exception single)
                {
                    Fail(p, single);
                }
            }
        }
        catch (Exception e)
        {
            Fail(batch[0], e);
        }
    }

    private async Task<bool[]> AppendAsync(IReadOnlyList<AcceptedInstallEvent> events)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<InstallEventLog>().AppendAsync(events, CancellationToken.None);
    }

    private void Fail(Pending p, Exception e)
    {
        // The database refused it: the request fails (the platform sends the event again), nothing was stored.
        logger.LogError(e, "Storing install event {EventId} failed", p.Event.Request.EventId);
        p.Stored.TrySetException(e);
    }
}
