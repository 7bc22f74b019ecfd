"""Output stage: the article schema, atomic Parquet files and the partitioned dataset.

* :mod:`.schema` declares ARTICLE_SCHEMA field by field and turns articles into rows;
* :mod:`.parquet` writes one file atomically (``write_parquet``);
* :mod:`.dataset` is the hive-partitioned dataset with crash-safe commits;
* :mod:`.compaction` merges a partition's files with one atomic directory swap.
"""

from __future__ import annotations

from newsclean.output.compaction import CompactionReport, PartitionCompaction, PartitionSkip
from newsclean.output.dataset import (
    CommittedFile,
    DatasetMarker,
    ParquetDataset,
    RecoveryReport,
    open_arrow_dataset,
    read_dataset,
)
from newsclean.output.errors import (
    CompactionUnavailable,
    CorruptDataFile,
    DatasetError,
    DatasetVersionError,
    DiskFull,
    InvalidRow,
    InvalidTable,
    NotADataset,
    OutputError,
    OutputNotWritable,
    UnsafeName,
)
from newsclean.output.parquet import write_parquet
from newsclean.output.schema import (
    ARTICLE_SCHEMA,
    DATASET_SCHEMA,
    SCHEMA_VERSION,
    ArticleRow,
    article_id_for,
    article_row,
    rows_to_table,
)

__all__ = [
    "ARTICLE_SCHEMA",
    "DATASET_SCHEMA",
    "SCHEMA_VERSION",
    "ArticleRow",
    "CommittedFile",
    "CompactionReport",
    "CompactionUnavailable",
    "CorruptDataFile",
    "DatasetError",
    "DatasetMarker",
    "DatasetVersionError",
    "DiskFull",
    "InvalidRow",
    "InvalidTable",
    "NotADataset",
    "OutputError",
    "OutputNotWritable",
    "ParquetDataset",
    "PartitionCompaction",
    "PartitionSkip",
    "RecoveryReport",
    "UnsafeName",
    "article_id_for",
    "article_row",
    "open_arrow_dataset",
    "read_dataset",
    "rows_to_table",
    "write_parquet",
]
