using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace OpenAI.Images.Validation
{
    /// <summary>Where a model stands at OpenAI on a given day.</summary>
    public enum ModelLifecycleStatus
    {
        /// <summary>Served by OpenAI, with no shutdown date within <see cref="ModelLifecycle.NoticeDays"/> days (or none at all).</summary>
        Live,

        /// <summary>Still served by OpenAI, but its shutdown date is at most <see cref="ModelLifecycle.NoticeDays"/> days away.</summary>
        Retiring,

        /// <summary>Shut down at OpenAI (its shutdown date has come).</summary>
        Retired,
    }

    /// <summary>One row of the retirement table: a model OpenAI shuts down, when, and what replaces it.</summary>
    public sealed class ModelRetirement
    {
        internal ModelRetirement(ModelCapabilities row)
        {
            Model = row.Id;
            ShutdownDate = row.ShutdownDate!.Value.Date;
            Replacements = row.Replacements;
            Source = row.LifecycleSource ?? ModelLifecycle.Source;
        }

        /// <summary>The model name as OpenAI spells it.</summary>
        public string Model { get; }

        /// <summary>The day OpenAI shuts the model down (UTC); from that day on it is retired.</summary>
        public DateTime ShutdownDate { get; }

        /// <summary>The models OpenAI recommends instead, as one text ("gpt-image-2.6-sunburst or gpt-image-2.6-flare").</summary>
        public string Replacement => string.Join(" or ", Replacements);

        /// <summary>The models OpenAI recommends instead; the first is the one the module's advice commands use.</summary>
        public IReadOnlyList<string> Replacements { get; }

        /// <summary>The OpenAI page the date and the replacement come from.</summary>
        public string Source { get; }

        /// <summary>The first replacement, for -Model and Set-OpenAIConfig -DefaultModel advice.</summary>
        internal string FirstReplacement => Replacements[0];

        /// <summary>The shutdown date as yyyy-MM-dd.</summary>
        public string ShutdownDateText => ShutdownDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        /// <summary>The model's status on <paramref name="today"/>.</summary>
        public ModelLifecycleStatus StatusOn(DateTime today)
        {
            int days = (ShutdownDate - today.Date).Days;
            if (days <= 0)
            {
                return ModelLifecycleStatus.Retired;
            }

            return days <= ModelLifecycle.NoticeDays ? ModelLifecycleStatus.Retiring : ModelLifecycleStatus.Live;
        }
    }

    /// <summary>
    /// The image models that OpenAI retires (model → shutdown date → replacement), read from the one model table
    /// (<see cref="ModelCatalog.Models"/>), and the texts the module shows from it. The table is
    /// about OpenAI's own API (<see cref="OpenAIHost"/>) only: Azure OpenAI and OpenAI-compatible servers name and retire
    /// their models themselves.
    /// </summary>
    public static class ModelLifecycle
    {
        /// <summary>The day the table was last compared with <see cref="Source"/>.</summary>
        public static readonly DateTime LastChecked = ModelCatalog.CheckedOn;

        /// <summary>Where the dates come from.</summary>
        public const string Source = "https://platform.openai.com/docs/deprecations";

        /// <summary>The host of OpenAI's own API: only connections to it get lifecycle warnings.</summary>
        public const string OpenAIHost = "api.openai.com";

        /// <summary>How many days before a shutdown the "will be retired" notice starts.</summary>
        public const int NoticeDays = 90;

        /// <summary>The retirement rows of the model table, oldest shutdown first.</summary>
        public static readonly IReadOnlyList<ModelRetirement> Retirements = ModelCatalog.Models
            .Where(m => m.ShutdownDate.HasValue)
            .Select(m => new ModelRetirement(m))
            .OrderBy(r => r.ShutdownDate)
            .ToArray();

        /// <summary>The clock seam: when set, <see cref="Today"/> returns this day instead of the real UTC date (tests only).</summary>
        internal static DateTime? TodayOverride { get; set; }

        /// <summary>Today's date (UTC), or the injected one.</summary>
        public static DateTime Today => (TodayOverride ?? DateTime.UtcNow).Date;

        /// <summary>
        /// The retirement row of a model (its exact id or one of its dated snapshots, any case), or null when OpenAI has
        /// announced no shutdown for it.
        /// </summary>
        public static ModelRetirement? Find(string? model)
        {
            ModelCapabilities? row = ModelCatalog.Find(model);
            return row is null ? null : Retirements.FirstOrDefault(r => r.Model == row.Id);
        }

        /// <summary>A model's status at OpenAI on <paramref name="today"/>; names not in the table are live.</summary>
        public static ModelLifecycleStatus StatusOf(string? model, DateTime today) =>
            Find(model)?.StatusOn(today) ?? ModelLifecycleStatus.Live;

        /// <summary>True when <paramref name="baseUri"/> is OpenAI's own API (host api.openai.com, any scheme, port or path).</summary>
        public static bool IsOpenAIHost(Uri? baseUri) =>
            baseUri != null && baseUri.IsAbsoluteUri
            && string.Equals(baseUri.Host.TrimEnd('.'), OpenAIHost, StringComparison.OrdinalIgnoreCase);

        /// <summary>
        /// The warning to show before a request for <paramref name="model"/> is sent to <paramref name="baseUri"/>, or null:
        /// only for OpenAI's host, and only for a model that is retired or retires within <see cref="NoticeDays"/> days.
        /// <paramref name="profile"/> (when not the default profile) is named in the Set-OpenAIConfig advice.
        /// </summary>
        public static string? RequestWarning(string? model, Uri? baseUri, ImageOperation operation, DateTime today, string? profile = null)
        {
            ModelRetirement? row = Find(model);
            if (row is null || !IsOpenAIHost(baseUri))
            {
                return null;
            }

            ModelLifecycleStatus status = row.StatusOn(today);
            if (status == ModelLifecycleStatus.Live)
            {
                return null;
            }

            if (operation == ImageOperation.Variation)
            {
                return VariationWarning(row, status, today);
            }

            string name = model!.Trim();
            string when = status == ModelLifecycleStatus.Retired
                ? $"OpenAI retired the model '{name}' on {row.ShutdownDateText}: {OpenAIHost} will most likely answer model_not_found (the request is still sent)."
                : $"OpenAI will retire the model '{name}' on {row.ShutdownDateText} (in {DaysText(row, today)}).";
            return $"{when} Its replacement is {row.Replacement}: use {UseModel(row)}, or make it the default with {SetDefault(row, profile)}. "
                + $"Azure OpenAI deployments and OpenAI-compatible servers that still serve '{name}' are not affected.";
        }

        /// <summary>The warning for Set-OpenAIConfig -DefaultModel <paramref name="model"/> on a profile that targets <paramref name="baseUri"/>, or null.</summary>
        public static string? DefaultModelWarning(string? model, Uri? baseUri, DateTime today, string? profile = null)
        {
            ModelRetirement? row = Find(model);
            if (row is null || !IsOpenAIHost(baseUri))
            {
                return null;
            }

            ModelLifecycleStatus status = row.StatusOn(today);
            if (status == ModelLifecycleStatus.Live)
            {
                return null;
            }

            string name = model!.Trim();
            string when = status == ModelLifecycleStatus.Retired
                ? $"OpenAI retired the model '{name}' on {row.ShutdownDateText}: requests that use this default at {OpenAIHost} will most likely fail with model_not_found."
                : $"OpenAI will retire the model '{name}' on {row.ShutdownDateText} (in {DaysText(row, today)}).";
            return $"{when} Its replacement is {row.Replacement}: {SetDefault(row, profile)}.";
        }

        /// <summary>
        /// For an error OpenAI answered about a model in the table (code model_not_found, or a 404 whose message names the
        /// model): the sentence to add to the message and the recommended action. False for anything else, and for hosts
        /// other than OpenAI's.
        /// </summary>
        public static bool TryExplainNotFound(OpenAIException error, string? model, Uri? baseUri, ImageOperation operation, DateTime today, out string explanation, out string recommendedAction)
        {
            explanation = string.Empty;
            recommendedAction = string.Empty;
            ModelRetirement? row = Find(model);
            if (error is null || row is null || !IsOpenAIHost(baseUri))
            {
                return false;
            }

            bool modelNotFound = string.Equals(error.Code, "model_not_found", StringComparison.OrdinalIgnoreCase);
            bool namesModel = error.StatusCode == 404
                && (error.ServerMessage ?? error.Message).IndexOf(row.Model, StringComparison.OrdinalIgnoreCase) >= 0;
            if (!modelNotFound && !namesModel)
            {
                return false;
            }

            bool retired = row.StatusOn(today) == ModelLifecycleStatus.Retired;
            explanation = (retired ? $"OpenAI retired '{row.Model}' on {row.ShutdownDateText}" : $"OpenAI retires '{row.Model}' on {row.ShutdownDateText}")
                + $"; its replacement is {row.Replacement}.";
            recommendedAction = operation == ImageOperation.Variation
                ? $"OpenAI has no variations model any more: use Edit-OpenAIImage -Model {row.FirstReplacement} with the image and a prompt that asks for a variation. "
                    + $"Azure OpenAI deployments and OpenAI-compatible servers that still serve '{row.Model}' take New-OpenAIImageVariation as before."
                : $"Use {UseModel(row)}, or make it the default with Set-OpenAIConfig -DefaultModel {row.FirstReplacement}. "
                    + $"'{row.Model}' lives on only at Azure OpenAI deployments and OpenAI-compatible servers that still serve it.";
            return true;
        }

        /// <summary>The tab-completion tooltip of a model: notes a retirement at OpenAI, else the name.</summary>
        public static string Tooltip(string model, DateTime today)
        {
            ModelRetirement? row = Find(model);
            switch (row?.StatusOn(today))
            {
                case ModelLifecycleStatus.Retired:
                    return $"{model}: retired at OpenAI on {row!.ShutdownDateText} (use {row.Replacement} there); Azure OpenAI or OpenAI-compatible servers may still serve it";
                case ModelLifecycleStatus.Retiring:
                    return $"{model}: retires at OpenAI on {row!.ShutdownDateText} (then use {row.Replacement})";
                default:
                    return model;
            }
        }

        /// <summary>Models in their given order, live and retiring ones first, then the ones retired at OpenAI.</summary>
        public static IReadOnlyList<string> LiveFirst(IEnumerable<string> models, DateTime today) =>
            models.Select((m, i) => (Model: m, Index: i, Retired: StatusOf(m, today) == ModelLifecycleStatus.Retired))
                .OrderBy(x => x.Retired)
                .ThenBy(x => x.Index)
                .Select(x => x.Model)
                .ToArray();

        private static string VariationWarning(ModelRetirement row, ModelLifecycleStatus status, DateTime today)
        {
            string when = status == ModelLifecycleStatus.Retired
                ? $"OpenAI retired '{row.Model}', its only model for image variations, on {row.ShutdownDateText}: New-OpenAIImageVariation cannot work at {OpenAIHost} any more (the request is still sent)."
                : $"OpenAI will retire '{row.Model}', its only model for image variations, on {row.ShutdownDateText} (in {DaysText(row, today)}); New-OpenAIImageVariation will then stop working at {OpenAIHost}.";
            return $"{when} For a variation at OpenAI, use Edit-OpenAIImage -Model {row.FirstReplacement} with the image and a prompt that asks for one, "
                + $"for example: Edit-OpenAIImage -Path ./logo.png -Model {row.FirstReplacement} -Prompt 'A variation of this image'. "
                + $"Azure OpenAI deployments and OpenAI-compatible servers that still serve '{row.Model}' work as before.";
        }

        private static string SetDefault(ModelRetirement row, string? profile) =>
            string.IsNullOrEmpty(profile) || string.Equals(profile, "default", StringComparison.OrdinalIgnoreCase)
                ? $"Set-OpenAIConfig -DefaultModel {row.FirstReplacement}"
                : $"Set-OpenAIConfig -Profile {profile} -DefaultModel {row.FirstReplacement}";

        private static string UseModel(ModelRetirement row) =>
            string.Join(" or ", row.Replacements.Select(r => "-Model " + r));

        private static string DaysText(ModelRetirement row, DateTime today)
        {
            int days = (row.ShutdownDate - today.Date).Days;
            return days == 1 ? "1 day" : days.ToString(CultureInfo.InvariantCulture) + " days";
        }
    }
}
