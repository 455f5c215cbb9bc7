// Picks the grain store from configuration: SQLite by default, PostgreSQL when asked.
namespace DigitalTwin.Grains.Storage;

/// <summary>Which grain store a host uses.</summary>
public enum GrainStoreProvider
{
    /// <summary>One SQLite file (the embedded default).</summary>
    Sqlite,

    /// <summary>PostgreSQL through Npgsql (production state).</summary>
    PostgreSql,

    /// <summary>Process memory; lost with the process.</summary>
    InMemory,
}

/// <summary>Configuration of the grain store (<c>Twin:Storage</c> in a host's settings).</summary>
public sealed record GrainStoreOptions
{
    public GrainStoreProvider Provider { get; init; } = GrainStoreProvider.Sqlite;

    /// <summary>For SQLite: the database file path. For PostgreSQL: the Npgsql connection string.</summary>
    public string? ConnectionString { get; init; }

    public SqliteDurability SqliteDurability { get; init; } = SqliteDurability.ProcessCrash;

    /// <summary>Creates and initializes the store, or throws naming what is missing.</summary>
    public async ValueTask<IGrainStore> CreateAsync(CancellationToken cancellationToken)
    {
        IGrainStore store = Provider switch
        {
            GrainStoreProvider.Sqlite => new SqliteGrainStore(Require("a SQLite file path"), SqliteDurability),
            GrainStoreProvider.PostgreSql => new PostgreSqlGrainStore(Require("an Npgsql connection string")),
            GrainStoreProvider.InMemory => new InMemoryGrainStore(),
            _ => throw new ArgumentOutOfRangeException(nameof(Provider), Provider, "Grain store provider must be Sqlite, PostgreSql or InMemory."),
        };
        try
        {
            await store.InitializeAsync(cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private string Require(string what) =>
        string.IsNullOrWhiteSpace(ConnectionString)
            ? throw new ArgumentException($"Grain store {Provider} needs ConnectionString: {what}.", nameof(ConnectionString))
            : ConnectionString;
}
