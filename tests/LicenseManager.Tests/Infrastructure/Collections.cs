namespace LicenseManager.Tests.Infrastructure;

/// <summary>
/// One app per database provider, shared by the test classes that join its collection. A collection's tests run one
/// after another; collections run in parallel (xunit.runner.json). Tests sharing an app make their own packages,
/// orgs, users and keys and count only what they made (or compare before and after), and never move the shared clock.
/// A test that needs settings of its own, a clock it moves, or a process it kills keeps an app of its own.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SqliteCollection : ICollectionFixture<SqliteApp>
{
    public const string Name = "SQLite app";
}

/// <inheritdoc cref="SqliteCollection"/>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresApp>
{
    public const string Name = "PostgreSQL app";
}

/// <summary>
/// The browser tests: each class has its own app and Chromium, and they run one class at a time so two browsers
/// don't fight over the two cores (page timeouts under load).
/// </summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection
{
    public const string Name = "Browser";
}
