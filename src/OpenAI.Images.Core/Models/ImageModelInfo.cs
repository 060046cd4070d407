using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using OpenAI.Images.Json;
using OpenAI.Images.Validation;

namespace OpenAI.Images
{
    /// <summary>Where an image model stands, from the server's shutdown_date or the module's table.</summary>
    public enum ImageModelStatus
    {
        /// <summary>Served, with no shutdown within <see cref="ModelLifecycle.NoticeDays"/> days (or none announced).</summary>
        Live,

        /// <summary>Served, but its shutdown date is at most <see cref="ModelLifecycle.NoticeDays"/> days away.</summary>
        Retiring,

        /// <summary>Its shutdown date has come.</summary>
        Retired,

        /// <summary>The server did not say, and the module's table does not know the model (or the server is not OpenAI's).</summary>
        Unknown,
    }

    /// <summary>One image model a server lists (GET /models), with what the module's model table says about it.</summary>
    public sealed class ImageModelInfo
    {
        /// <summary>The model id, as the server spells it.</summary>
        public string Id { get; set; } = string.Empty;

        /// <summary>When the model was created (the server's <c>created</c>), or null when it did not say.</summary>
        public DateTimeOffset? Created { get; set; }

        /// <summary>The organization that owns the model (<c>owned_by</c>).</summary>
        public string? OwnedBy { get; set; }

        /// <summary>The day the model shuts down: the server's <c>shutdown_date</c>, else (at OpenAI) the module's table; null when none is announced.</summary>
        public DateTime? ShutdownDate { get; set; }

        /// <summary>Live, Retiring, Retired or Unknown.</summary>
        public ImageModelStatus Status { get; set; }

        /// <summary>What OpenAI recommends instead (from the module's table, at OpenAI), or null.</summary>
        public string? Replacement { get; set; }

        /// <summary>True when the module's model table knows the model (its values are then checked before sending).</summary>
        public bool Known { get; set; }

        /// <summary>The quality values the table lists for the model (generations and edits); empty when not known.</summary>
        public IReadOnlyList<string> Qualities { get; set; } = Array.Empty<string>();

        /// <summary>Takes any WIDTHxHEIGHT within its limits; null when not known.</summary>
        public bool? CustomSizes { get; set; }

        /// <summary>Can generate images (/images/generations); null when not known.</summary>
        public bool? Generations { get; set; }

        /// <summary>Can edit images (/images/edits); null when not known.</summary>
        public bool? Edits { get; set; }

        /// <inheritdoc />
        public override string ToString() => Id;

        /// <summary>True for the ids Get-OpenAIImageModel lists: gpt-image*, dall-e*, chatgpt-image*, or a model the table knows.</summary>
        public static bool IsImageModel(string? id) =>
            !string.IsNullOrEmpty(id)
            && (id!.StartsWith("gpt-image", StringComparison.OrdinalIgnoreCase)
                || id.StartsWith("dall-e", StringComparison.OrdinalIgnoreCase)
                || id.StartsWith("chatgpt-image", StringComparison.OrdinalIgnoreCase)
                || ModelCatalog.Find(id) != null);

        /// <summary>
        /// Builds the entry of one model object of GET /models. A <c>shutdown_date</c> property (a date, or null: none
        /// announced) is the server's answer; without it, and only for OpenAI's own API (<paramref name="atOpenAI"/>),
        /// the module's table gives the date and replacement. The capabilities come from the table wherever the server is.
        /// </summary>
        internal static ImageModelInfo FromModelObject(JsonValue model, bool atOpenAI, DateTime today)
        {
            string id = model.GetStringProperty("id") ?? string.Empty;
            var info = new ImageModelInfo
            {
                Id = id,
                OwnedBy = model.GetStringProperty("owned_by"),
                Created = model["created"]?.Kind == JsonValueKind.Number && model.GetInt64Property("created") is long created
                    ? DateTimeOffset.FromUnixTimeSeconds(created)
                    : (DateTimeOffset?)null,
            };

            ModelCapabilities? caps = ModelCatalog.Find(id);
            if (caps != null)
            {
                info.Known = true;
                info.Qualities = caps.GenerationQualities.Concat(caps.EditQualities).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
                info.CustomSizes = caps.CustomSizes;
                info.Generations = caps.Generations;
                info.Edits = caps.Edits;
            }

            ModelRetirement? row = atOpenAI ? ModelLifecycle.Find(id) : null;
            info.Replacement = row?.Replacement;
            JsonValue? shutdown = model["shutdown_date"];
            if (shutdown != null)
            {
                // The server's answer: a date, or null when no shutdown is announced (anything else is not a date: unknown).
                info.ShutdownDate = shutdown.Kind == JsonValueKind.String ? ParseDate(shutdown.GetString()!) : null;
                info.Status = info.ShutdownDate is DateTime date ? StatusOn(date, today)
                    : shutdown.Kind == JsonValueKind.Null ? ImageModelStatus.Live : ImageModelStatus.Unknown;
                return info;
            }

            info.ShutdownDate = row?.ShutdownDate;
            info.Status = row != null ? StatusOn(row.ShutdownDate, today)
                : atOpenAI && caps != null ? ImageModelStatus.Live
                : ImageModelStatus.Unknown;
            return info;
        }

        private static DateTime? ParseDate(string text) =>
            DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out DateTime date)
                || DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out date)
                ? date.Date
                : (DateTime?)null;

        private static ImageModelStatus StatusOn(DateTime shutdownDate, DateTime today)
        {
            int days = (shutdownDate.Date - today.Date).Days;
            return days <= 0 ? ImageModelStatus.Retired
                : days <= ModelLifecycle.NoticeDays ? ImageModelStatus.Retiring
                : ImageModelStatus.Live;
        }
    }
}
