namespace Referral.FunctionalTests;

/// <summary>One node on SQLite, shared by the tests of a class.</summary>
public sealed class SqliteNode : IDisposable
{
    public NodeFactory Factory { get; } = new("Sqlite");

    public void Dispose() => Factory.Dispose();
}

/// <summary>One node on PostgreSQL (the server started by the test script), shared by the tests of a class.</summary>
public sealed class PostgresNode : IDisposable
{
    public NodeFactory Factory { get; } = new("PostgreSql");

    public void Dispose() => Factory.Dispose();
}
