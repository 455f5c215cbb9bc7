// Plain HTTP for people and scripts: POST /v1/uploads with the file as the raw body (options in the query) or as
// multipart/form-data (a file part plus fields); GET /v1/sources?id= for where a source stands. JSON answers use the
// contract's JSON mapping; a missing or wrong key is 401 with a WWW-Authenticate header.
using System.Text;
using System.Text.Json;
using DigitalTwin.Contracts.Telemetry.V1;
using DigitalTwin.Telemetry.Log;
using Google.Protobuf;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Proto = DigitalTwin.Contracts.Common.V1;

namespace DigitalTwin.Services.Ingest;

internal static class HttpEndpoints
{
    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(false));

    public static void Map(WebApplication app)
    {
        app.MapPost("/v1/uploads", UploadAsync);
        app.MapGet("/v1/sources", SourceAsync);
        app.MapGet("/healthz", () => Results.Text("ok"));
    }

    private static async Task UploadAsync(HttpContext http)
    {
        var services = http.RequestServices;
        var keys = services.GetRequiredService<ApiKeyGuard>();
        if (!await AuthorizeAsync(http, keys, write: true))
        {
            return;
        }

        var files = services.GetRequiredService<FileIngestor>();
        var cancel = http.RequestAborted;
        var meta = new FileMetadata();
        try
        {
            foreach (var (key, value) in http.Request.Query)
            {
                Set(meta, key, value.ToString());
            }

            UploadFileResponse response;
            if (MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var type) && type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            {
                var boundary = HeaderUtilities.RemoveQuotes(type.Boundary).Value;
                if (string.IsNullOrEmpty(boundary))
                {
                    await ErrorAsync(http, StatusCodes.Status400BadRequest, "bad_request", "multipart/form-data without a boundary", []);
                    return;
                }

                // Parsed while the file part arrives, with the fields sent before it; a field after it that changes the
                // settings makes the service parse the (spooled) file again.
                response = await files.IngestAsync(meta, 0, spool => ReceiveMultipartAsync(http, boundary, meta, spool), cancel, settingsMayFollow: true);
            }
            else
            {
                response = await files.IngestAsync(meta, http.Request.ContentLength ?? 0, spool => spool.CopyFromAsync(http.Request.Body, cancel), cancel);
            }

            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(Json.Format(response), cancel);
        }
        catch (UploadRejectedException e)
        {
            await ErrorAsync(http, e.TooLarge ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status422UnprocessableEntity, "rejected", e.Message, e.Diagnostics);
        }
        catch (InvalidDataException e)
        {
            await ErrorAsync(http, StatusCodes.Status400BadRequest, "bad_request", e.Message, []);
        }
        catch (LogFaultedException e)
        {
            await ErrorAsync(http, StatusCodes.Status503ServiceUnavailable, "unavailable", e.Message, []);
        }
    }

    private static async Task ReceiveMultipartAsync(HttpContext http, string boundary, FileMetadata meta, SpooledUpload spool)
    {
        var cancel = http.RequestAborted;
        var sawFile = false;
        var reader = new MultipartReader(boundary, http.Request.Body);
        while (await reader.ReadNextSectionAsync(cancel) is { } section)
        {
            var disposition = section.GetContentDispositionHeader();
            if (disposition is null)
            {
                continue;
            }

            var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? string.Empty;
            if (name == "mapping")
            {
                using var buffer = new MemoryStream();
                await section.Body.CopyToAsync(buffer, cancel);
                meta.ColumnMapping = ByteString.CopyFrom(buffer.ToArray());
            }
            else if (disposition.IsFileDisposition() && !sawFile)
            {
                sawFile = true;
                if (string.IsNullOrEmpty(meta.FileName))
                {
                    meta.FileName = HeaderUtilities.RemoveQuotes(disposition.FileName).Value ?? string.Empty;
                }

                await spool.CopyFromAsync(section.Body, cancel);
            }
            else if (!disposition.IsFileDisposition())
            {
                using var text = new StreamReader(section.Body, Encoding.UTF8);
                Set(meta, name, await text.ReadToEndAsync(cancel));
            }
        }

        if (!sawFile)
        {
            throw new InvalidDataException("the multipart upload has no file part (Content-Disposition: form-data; name=\"file\"; filename=...)");
        }
    }

    private static async Task SourceAsync(HttpContext http)
    {
        var services = http.RequestServices;
        if (!await AuthorizeAsync(http, services.GetRequiredService<ApiKeyGuard>(), write: false))
        {
            return;
        }

        var id = http.Request.Query["id"].ToString();
        var status = services.GetRequiredService<TelemetryLog>().GetSource(id);
        if (status is null)
        {
            await ErrorAsync(http, StatusCodes.Status404NotFound, "not_found", $"no samples of source '{id}' are stored", []);
            return;
        }

        var response = new GetSourceStatusResponse
        {
            SourceId = status.SourceId,
            CellId = status.CellId,
            LastDurableSequence = status.LastDurableSequence,
            Samples = (ulong)status.Samples,
        };
        if (status.LastSampleTimeNs != SampleColumns.NoTime)
        {
            response.LastSampleTime = Conversions.FromUnixNs(status.LastSampleTimeNs);
        }

        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(Json.Format(response), http.RequestAborted);
    }

    private static async Task<bool> AuthorizeAsync(HttpContext http, ApiKeyGuard keys, bool write)
    {
        if (!write && !keys.RequireForReads)
        {
            return true;
        }

        var problem = keys.Check(http.Request.Headers[ApiKeyGuard.Header].ToString());
        if (problem is null)
        {
            return true;
        }

        http.Response.Headers.WWWAuthenticate = $"ApiKey header=\"{ApiKeyGuard.Header}\"";
        await ErrorAsync(http, StatusCodes.Status401Unauthorized, "unauthenticated", problem, []);
        return false;
    }

    private static void Set(FileMetadata meta, string key, string value)
    {
        switch (key)
        {
            case "file_name" or "filename":
                meta.FileName = value;
                break;
            case "cell_id" or "cell":
                meta.CellId = value;
                break;
            case "source_id" or "source":
                meta.SourceId = value;
                break;
            case "format":
                meta.Format = value;
                break;
            case "tz" or "time_zone":
                meta.TimeZone = value;
                break;
            case "sha256":
                meta.Sha256 = value;
                break;
            case "policy":
                meta.ErrorPolicy = value.ToLowerInvariant() switch
                {
                    "reject" => ErrorPolicy.RejectFile,
                    "skip" => ErrorPolicy.SkipRow,
                    _ => throw new InvalidDataException($"policy must be skip or reject, not '{value}'"),
                };
                break;
            default:
                break;
        }
    }

    private static async Task ErrorAsync(HttpContext http, int status, string error, string message, IReadOnlyList<Proto.Diagnostic> diagnostics)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("error", error);
            json.WriteString("message", message);
            json.WriteStartArray("diagnostics");
            foreach (var d in diagnostics)
            {
                json.WriteRawValue(Json.Format(d));
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        await http.Response.Body.WriteAsync(buffer.ToArray(), http.RequestAborted);
    }
}
