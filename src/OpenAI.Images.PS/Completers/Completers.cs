using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using OpenAI.Images;
using OpenAI.Images.Validation;

namespace OpenAI.Images.PowerShell.Completers
{
    /// <summary>Shared helpers for argument completers.</summary>
    internal static class Completion
    {
        public static IEnumerable<CompletionResult> Matching(IEnumerable<string> values, string wordToComplete, Func<string, string>? tooltip = null)
        {
            string word = (wordToComplete ?? string.Empty).Trim('\'', '"');
            return values
                .Where(v => v.StartsWith(word, StringComparison.OrdinalIgnoreCase))
                .Select(v => new CompletionResult(Quote(v), v, CompletionResultType.ParameterValue, tooltip?.Invoke(v) ?? v));
        }

        private static string Quote(string value) =>
            value.IndexOfAny(new[] { ' ', '\'', '"', '$', '`', ';', '(', ')', '{', '}', ',' }) >= 0 ? "'" + value.Replace("'", "''") + "'" : value;

        public static string? BoundString(IDictionary fakeBoundParameters, string name) =>
            fakeBoundParameters != null && fakeBoundParameters.Contains(name) ? fakeBoundParameters[name]?.ToString() : null;

        public static ImageOperation OperationOf(string commandName, IDictionary? fakeBoundParameters = null)
        {
            if (fakeBoundParameters != null && (fakeBoundParameters.Contains("Path") || fakeBoundParameters.Contains("LiteralPath"))
                && commandName.IndexOf("Batch", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                return ImageOperation.Edit;
            }

            if (commandName.IndexOf("Variation", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                return ImageOperation.Variation;
            }

            return commandName.StartsWith("Edit-", StringComparison.OrdinalIgnoreCase) ? ImageOperation.Edit : ImageOperation.Generation;
        }
    }

    /// <summary>
    /// Completes -Model with the models the spec lists for the command's endpoint: the ones OpenAI still serves first,
    /// then the ones it retired (still offered for Azure and OpenAI-compatible servers; the tooltip gives the date).
    /// </summary>
    public sealed class ModelCompleter : IArgumentCompleter
    {
        /// <inheritdoc />
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            IReadOnlyList<string> models = Completion.OperationOf(commandName) switch
            {
                ImageOperation.Edit => ModelCatalog.EditModels,
                ImageOperation.Variation => ModelCatalog.VariationModels,
                _ => ModelCatalog.GenerationModels,
            };
            DateTime today = ModelLifecycle.Today;
            return Completion.Matching(ModelLifecycle.LiveFirst(models, today), wordToComplete, m => ModelLifecycle.Tooltip(m, today));
        }
    }

    /// <summary>Completes -Size with the sizes the chosen -Model takes.</summary>
    public sealed class SizeCompleter : IArgumentCompleter
    {
        /// <inheritdoc />
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            ImageOperation operation = Completion.OperationOf(commandName);
            string? model = Completion.BoundString(fakeBoundParameters, "Model")
                ?? (operation == ImageOperation.Variation ? ModelCatalog.DefaultVariationModel : ModelCatalog.DefaultModel);
            return Completion.Matching(ModelCatalog.SizesFor(model, operation), wordToComplete, v => $"{v} ({model})");
        }
    }

    /// <summary>
    /// Completes -Quality, -Background, -OutputFormat, -Moderation, -InputFidelity and -Style from the model table: the
    /// values the chosen -Model takes, or every value the module knows when no model, or one the table does not know, is
    /// chosen. Completion only offers: any other value is still accepted and sent as given for a model the table does not know.
    /// </summary>
    public sealed class ModelValueCompleter : IArgumentCompleter
    {
        /// <inheritdoc />
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string? model = Completion.BoundString(fakeBoundParameters, "Model");
            ModelCapabilities? caps = ModelCatalog.Find(model);
            IReadOnlyList<string> values = ModelCatalog.ValuesFor(parameterName, model, Completion.OperationOf(commandName, fakeBoundParameters));
            return Completion.Matching(values, wordToComplete, v => caps is null ? v : $"{v} ({caps.Id})");
        }
    }

    /// <summary>Completes -Profile with the saved profile names.</summary>
    public sealed class ProfileCompleter : IArgumentCompleter
    {
        /// <inheritdoc />
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            return Completion.Matching(Config.ProfileNames.All(), wordToComplete);
        }
    }
}
