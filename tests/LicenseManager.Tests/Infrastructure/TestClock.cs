namespace LicenseManager.Tests.Infrastructure;

/// <summary>
/// The instant every test app's clock starts at, so no test reads the wall clock: a date computed "today" can't
/// flip at UTC midnight between the arrange and the assert. Mid-morning, so an hour either way stays on one day.
/// Tests that need time to pass advance their app's <see cref="LmaApp.Clock"/>; child-process nodes (AppNode) and
/// the singleton leases run on real time, as the mechanisms they prove do.
/// </summary>
public static class TestClock
{
    public static readonly DateTimeOffset Start = new(2026, 11, 18, 10, 30, 0, TimeSpan.Zero);

    public static DateOnly Today(TimeProvider clock) => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
}
