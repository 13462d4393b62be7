namespace LicenseManager.Tests.Infrastructure;

/// <summary>Skips a test on a machine without a configured app (no PostgreSQL server here); never when the run requires it.</summary>
public static class Requires
{
    public static void Available(LmaApp app) =>
        Skip.IfNot(app.Available, $"{app.Provider} is not configured on this machine (set LMA_TEST_POSTGRES); .ci/run requires it.");
}
