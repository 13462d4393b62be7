namespace LicenseManager.Web.Infrastructure;

/// <summary>
/// On SQLite (one node, one writer at a time) the hot writers of this process, the ingest endpoint's group commit and
/// the install processor, take turns here before they take the database's write lock, in the order they asked.
/// Without it they meet in SQLite's busy handler, which sleeps up to 100 ms between attempts: the processor, which
/// asks again the moment it commits, would win nearly every time and the endpoint would wait behind whole batches.
/// Other writers (pages, jobs) still wait in the busy handler; they are rare. On other providers nothing waits here.
/// </summary>
public sealed class SqliteWriteGate
{
    private readonly SemaphoreSlim _turn = new(1, 1);

    public async Task<IDisposable> EnterAsync(CancellationToken ct)
    {
        await _turn.WaitAsync(ct);
        return new Turn(_turn);
    }

    private sealed class Turn(SemaphoreSlim turn) : IDisposable
    {
        private int _done;
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0) turn.Release();
        }
    }
}
