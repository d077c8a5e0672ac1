//! The search index: an embedded tantivy index of the articles readers may find, kept in step
//! with the database by the store (`store/src/search.rs` reads the database's change log and
//! hands this crate the documents). This crate knows nothing of SQL; it turns a parsed
//! [`SearchQuery`] into a tantivy query, ranks with the recency boost, and marks matches in
//! headlines and snippets.
//!
//! Ranking: score = relevance × (1 + 0.3 / (1 + age in days / 365)). Relevance is BM25 summed
//! over the fields a term matches, weighted headline 10, deck, film and people 4, tags 2,
//! body 1 (a prefix term counts its field's weight once). At equal relevance the newer article
//! comes first, while a headline match still outranks a body-only one.

use marquee_domain::search::{SearchQuery, Term as QueryTerm, MARK_END, MARK_START};
use std::ops::Bound;
use std::path::Path;
use std::sync::Mutex;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use tantivy::directory::MmapDirectory;
use tantivy::query::{BooleanQuery, BooleanWeight, BoostQuery, ConstScoreQuery, EnableScoring, Occur, PhraseQuery, Query, RangeQuery, RegexQuery, SumCombiner, TermQuery, Weight};
use tantivy::schema::{Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED};
use tantivy::tokenizer::{AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer, TextAnalyzerBuilder, Token, TokenFilter, TokenStream, Tokenizer};
use tantivy::{DocId, IndexReader, IndexWriter, ReloadPolicy, Score, SegmentReader, TantivyDocument, Term};

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index directory {0}: {1}")]
    Dir(String, String),
}

pub type Result<T, E = SearchError> = std::result::Result<T, E>;

/// The tokenizer's name in the index: words split at anything not a letter or digit,
/// lowercased, accents folded, English stems (as SQLite's porter and PostgreSQL's 'english'
/// did before this index).
const ANALYZER: &str = "marquee";
/// The tokenizer that writes each two words found side by side, as [`ANALYZER`] gives them,
/// as one term (`PAIRS`).
const PAIRS: &str = "marquee_pairs";
/// The text fields and their weights, in the order a [`Doc`] gives them.
const TEXT_FIELDS: [(&str, Score); 6] = [("headline", 10.0), ("deck", 4.0), ("film", 4.0), ("people", 4.0), ("tags", 2.0), ("body", 1.0)];
/// Memory the writer may fill before it writes a segment (tantivy's least is 15 MB).
const WRITER_MEMORY: usize = 32_000_000;
/// Words in a body snippet.
const SNIPPET_WORDS: usize = 40;
/// The deepest offset ranked (the search page stops at 1,000 pages of 10).
const MAX_OFFSET: usize = 10_000;
/// From this many articles in the index, a search ranks its segments on several cores: below
/// it a search takes a few milliseconds, less than a thread's start matters.
const PARALLEL_FROM: u64 = 250_000;
/// From how many matches in a segment a single word's union is made of only the fields that
/// hold it there, so that blocks of it can be passed over ([`WordFields`]).
const WAND_FROM: usize = 1_000;
/// The most cores one search ranks on.
const MAX_THREADS: usize = 4;
/// The recency factor of an article published today; it falls to 1 with age (`recency`).
const MAX_RECENCY: f64 = 1.3;

/// How much an article's age in days raises its score: [`MAX_RECENCY`] today, 1.15 after a
/// year, nearer 1 after that.
fn recency(age_days: f64) -> f64 {
    1.0 + (MAX_RECENCY - 1.0) / (1.0 + age_days / 365.0)
}

/// A match as ranked: its boosted score, minus its age in days (newer first on a tie), its id.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Ranked(f64, f64, u64);

/// What ranking reads of a segment's matches besides their text score.
struct SegmentFacts<'a> {
    published: std::sync::Arc<dyn tantivy::columnar::ColumnValues<i64>>,
    ids: std::sync::Arc<dyn tantivy::columnar::ColumnValues<u64>>,
    alive: Option<&'a tantivy::fastfield::AliveBitSet>,
}

impl<'a> SegmentFacts<'a> {
    fn of(segment: &'a SegmentReader) -> Result<SegmentFacts<'a>> {
        let fast = segment.fast_fields();
        Ok(SegmentFacts { published: fast.i64("publish_at")?.first_or_default_col(i64::MAX), ids: fast.u64("id")?.first_or_default_col(0), alive: segment.alive_bitset() })
    }

    /// The largest recency factor of any match in the segment published by `now`: that of
    /// its newest article, or [`MAX_RECENCY`] when one of its articles is not yet due.
    fn most_recency(&self, now: i64) -> f64 {
        let newest = self.published.max_value();
        if newest > now {
            return MAX_RECENCY;
        }
        recency(now.saturating_sub(newest) as f64 / 86_400.0)
    }

    /// The match `doc` of text score `score` as ranked; `None` if it was deleted or is not
    /// published by `now`.
    fn ranked(&self, doc: DocId, score: Score, now: i64) -> Option<Ranked> {
        if self.alive.is_some_and(|a| a.is_deleted(doc)) {
            return None;
        }
        let age_days = (now.checked_sub(self.published.get_val(doc)).filter(|a| *a >= 0)?) as f64 / 86_400.0;
        Some(Ranked(score as f64 * recency(age_days), -age_days, self.ids.get_val(doc)))
    }
}

/// The best `keep` matches so far, the weakest on top.
struct Best {
    keep: usize,
    held: BinaryHeap<Reverse<Ranked>>,
}

impl Best {
    fn offer(&mut self, r: Ranked) {
        if self.held.len() < self.keep {
            self.held.push(Reverse(r));
        } else if self.held.peek().is_some_and(|Reverse(weakest)| r > *weakest) {
            self.held.pop();
            self.held.push(Reverse(r));
        }
    }

    /// A text score at or below which a match cannot pass the weakest held, even with the
    /// recency factor `most` (a hair lower, for rounding); the lowest score until `keep` are
    /// held.
    fn threshold(&self, most: f64) -> Score {
        match self.held.peek() {
            Some(Reverse(weakest)) if self.held.len() == self.keep => (weakest.0 / most * (1.0 - 1e-6)) as Score,
            _ => Score::MIN,
        }
    }

    /// The ids held, best first, less the first `offset`.
    fn page(self, offset: usize) -> Vec<i64> {
        let mut ranked: Vec<Ranked> = self.held.into_iter().map(|Reverse(r)| r).collect();
        ranked.sort_by(|a, b| b.cmp(a));
        ranked.into_iter().skip(offset).map(|r| r.2 as i64).collect()
    }
}

impl Eq for Ranked {}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0).then(self.1.total_cmp(&other.1)).then(self.2.cmp(&other.2))
    }
}

/// A single word's query in each text field, weighted, with the statistics of the whole
/// index. tantivy passes over blocks of a union of words (block-max WAND) only when every
/// field in it holds the word; a field without it would make the union score every match.
/// So each segment gets the union of the fields that hold the word there.
struct WordFields(Vec<(std::sync::Arc<dyn Weight>, Term)>);

impl WordFields {
    fn new(index: &SearchIndex, stem: &str, searcher: &tantivy::Searcher) -> Result<WordFields> {
        let mut fields = Vec::new();
        for (field, (_, weight)) in index.fields.text.iter().zip(TEXT_FIELDS) {
            let term = Term::from_field_text(*field, stem);
            let query = BoostQuery::new(Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)), weight);
            fields.push((std::sync::Arc::from(query.weight(EnableScoring::enabled_from_searcher(searcher))?), term));
        }
        Ok(WordFields(fields))
    }

    /// The union, scored as the query's own, of the fields holding the word in `segment`.
    fn union_in(&self, segment: &SegmentReader) -> Result<Option<BooleanWeight<SumCombiner>>> {
        let mut held: Vec<(Occur, Box<dyn Weight>)> = Vec::new();
        for (weight, term) in &self.0 {
            if segment.inverted_index(term.field())?.get_term_info(term).map_err(tantivy::TantivyError::from)?.is_some() {
                held.push((Occur::Should, Box::new(Shared(weight.clone()))));
            }
        }
        Ok((!held.is_empty()).then(|| BooleanWeight::new(held, true, Box::new(SumCombiner::default))))
    }
}

/// A weight used by several segments' unions.
struct Shared(std::sync::Arc<dyn Weight>);

impl Weight for Shared {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn tantivy::query::Scorer>> {
        self.0.scorer(reader, boost)
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<tantivy::query::Explanation> {
        self.0.explain(reader, doc)
    }
}

/// One article as the index holds it.
#[derive(Debug, Clone, Default)]
pub struct Doc {
    pub id: i64,
    pub headline: String,
    pub deck: String,
    /// The film's title, and its original title when that differs.
    pub film: String,
    /// Author names in byline order.
    pub people: String,
    pub tags: String,
    /// Plain text (`search::plain_text` of the body's HTML).
    pub body: String,
    pub section_id: i64,
    pub author_ids: Vec<i64>,
    pub publish_at: i64,
}

/// Narrows a search; every filter given must hold.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub section_id: Option<i64>,
    pub author_id: Option<i64>,
    /// Published at or after this instant.
    pub from: Option<i64>,
    /// Published before this instant.
    pub to: Option<i64>,
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    section: Field,
    author: Field,
    publish_at: Field,
    text: [Field; 6],
    /// Every text field's words together, without frequencies or positions: a single word's
    /// matches are counted from its one list instead of a union of six.
    any: Field,
    /// Every two stems side by side in any text field, as one term ("at the"), without
    /// frequencies or positions: a phrase's matches lie among the articles holding each of
    /// its pairs, which are far fewer than those holding each of its words, so the positions
    /// that prove a phrase are read only there ([`SearchIndex::words_query`]).
    pairs: Field,
}

/// The index and its one writer. Searches read the last committed state; [`SearchIndex::apply`]
/// writes a batch of changes and commits them with the position in the change log they reach.
pub struct SearchIndex {
    index: tantivy::Index,
    fields: Fields,
    writer: Mutex<IndexWriter>,
    reader: IndexReader,
    analyzer: TextAnalyzer,
    /// From how many articles a search spreads its segments over the cores.
    parallel_from: u64,
    /// From how many matches in a segment a single word passes over blocks there.
    wand_from: usize,
}

fn analyzer() -> TextAnalyzer {
    stems().build()
}

/// [`analyzer`]'s stems, two by two ([`Pairs`]).
fn pair_analyzer() -> TextAnalyzer {
    stems().filter(Pairs).build()
}

/// Words split at anything not a letter or digit, the longest left out, lowercased, accents
/// folded, stemmed.
fn stems() -> TextAnalyzerBuilder<impl Tokenizer> {
    TextAnalyzer::builder(SimpleTokenizer::default()).filter(RemoveLongFilter::limit(60)).filter(LowerCaser).filter(AsciiFoldingFilter).filter(RememberedStems)
}

/// English stems (Snowball, as tantivy's own `Stemmer`), each word's remembered once found.
/// The stemmer was half of the time it took to index an article, and a paper's words repeat:
/// its few thousand common ones make up most of every body.
#[derive(Clone)]
struct RememberedStems;

/// Words remembered by one analyzer (each field of each segment being written has its own);
/// past this many, it starts over.
const STEMS_KEPT: usize = 50_000;

impl TokenFilter for RememberedStems {
    type Tokenizer<T: Tokenizer> = StemsOf<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> StemsOf<T> {
        StemsOf { inner, stems: rustc_hash::FxHashMap::default() }
    }
}

struct StemsOf<T> {
    inner: T,
    stems: rustc_hash::FxHashMap<String, String>,
}

impl<T: Clone> Clone for StemsOf<T> {
    /// A copy starts with nothing remembered: what it holds is only ever a shortcut.
    fn clone(&self) -> Self {
        StemsOf { inner: self.inner.clone(), stems: rustc_hash::FxHashMap::default() }
    }
}

impl<T: Tokenizer> Tokenizer for StemsOf<T> {
    type TokenStream<'a> = StemStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        if self.stems.len() > STEMS_KEPT {
            self.stems.clear();
        }
        StemStream { tail: self.inner.token_stream(text), stems: &mut self.stems, stemmer: rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English) }
    }
}

struct StemStream<'a, S> {
    tail: S,
    stems: &'a mut rustc_hash::FxHashMap<String, String>,
    stemmer: rust_stemmers::Stemmer,
}

impl<S: TokenStream> TokenStream for StemStream<'_, S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        match self.stems.get(token.text.as_str()) {
            Some(stem) => {
                token.text.clear();
                token.text.push_str(stem);
            }
            None => {
                let stem = self.stemmer.stem(&token.text).into_owned();
                let word = std::mem::replace(&mut token.text, stem.clone());
                self.stems.insert(word, stem);
            }
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// Each two tokens side by side (the second at the position after the first's) as one,
/// joined by a space; a word alone makes none. Placed after [`analyzer`]'s filters, it pairs
/// stems exactly where a phrase query would find them next to each other.
#[derive(Clone)]
struct Pairs;

impl TokenFilter for Pairs {
    type Tokenizer<T: Tokenizer> = PairsOf<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> PairsOf<T> {
        PairsOf { inner }
    }
}

#[derive(Clone)]
struct PairsOf<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for PairsOf<T> {
    type TokenStream<'a> = PairStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        PairStream { tail: self.inner.token_stream(text), before: None, pair: Token::default() }
    }
}

struct PairStream<S> {
    tail: S,
    /// The last token's text, position and start in the text.
    before: Option<(String, usize, usize)>,
    pair: Token,
}

impl<S: TokenStream> TokenStream for PairStream<S> {
    fn advance(&mut self) -> bool {
        while self.tail.advance() {
            let token = self.tail.token();
            // The last token's text buffer is kept for this one's, whether or not they pair.
            let (mut text, paired) = match self.before.take() {
                Some((text, at, from)) if token.position == at + 1 => {
                    self.pair.text.clear();
                    self.pair.text.push_str(&text);
                    self.pair.text.push(' ');
                    self.pair.text.push_str(&token.text);
                    self.pair.position = at;
                    self.pair.offset_from = from;
                    self.pair.offset_to = token.offset_to;
                    (text, true)
                }
                Some((text, ..)) => (text, false),
                None => (String::new(), false),
            };
            text.clear();
            text.push_str(&token.text);
            self.before = Some((text, token.position, token.offset_from));
            if paired {
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        &self.pair
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.pair
    }
}

/// Two stems as the [`PAIRS`] tokenizer writes them.
fn pair(first: &str, second: &str) -> String {
    format!("{first} {second}")
}

/// The same without stems, for prefixes: `audi*` must match the start of the indexed stem.
fn folder() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default()).filter(LowerCaser).filter(AsciiFoldingFilter).build()
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let id = b.add_u64_field("id", INDEXED | FAST);
    let section = b.add_u64_field("section", INDEXED);
    let author = b.add_u64_field("author", INDEXED);
    let publish_at = b.add_i64_field("publish_at", INDEXED | FAST);
    let text_options = TextOptions::default().set_indexing_options(TextFieldIndexing::default().set_tokenizer(ANALYZER).set_index_option(IndexRecordOption::WithFreqsAndPositions));
    let text = TEXT_FIELDS.map(|(name, _)| b.add_text_field(name, text_options.clone()));
    let any = b.add_text_field("any", TextOptions::default().set_indexing_options(TextFieldIndexing::default().set_tokenizer(ANALYZER).set_index_option(IndexRecordOption::Basic)));
    let pairs = b.add_text_field("pairs", TextOptions::default().set_indexing_options(TextFieldIndexing::default().set_tokenizer(PAIRS).set_index_option(IndexRecordOption::Basic)));
    (b.build(), Fields { id, section, author, publish_at, text, any, pairs })
}

impl SearchIndex {
    /// Opens the index kept in `dir` (made if missing), or a new one in memory. An index whose
    /// files cannot be read, or were written with another schema, is started over empty: the
    /// change log can always fill it again.
    pub fn open(dir: Option<&Path>) -> Result<SearchIndex> {
        let (schema, fields) = schema();
        let index = match dir {
            None => tantivy::Index::create_in_ram(schema.clone()),
            Some(dir) => {
                let shown = dir.display().to_string();
                std::fs::create_dir_all(dir).map_err(|e| SearchError::Dir(shown.clone(), e.to_string()))?;
                let open = || -> Result<tantivy::Index> {
                    let directory = MmapDirectory::open(dir).map_err(|e| SearchError::Dir(shown.clone(), e.to_string()))?;
                    Ok(tantivy::Index::open_or_create(directory, schema.clone())?)
                };
                match open() {
                    Ok(index) => index,
                    Err(e) => {
                        tracing::warn!("starting the search index at {shown} over: {e}");
                        std::fs::remove_dir_all(dir).map_err(|e| SearchError::Dir(shown.clone(), e.to_string()))?;
                        std::fs::create_dir_all(dir).map_err(|e| SearchError::Dir(shown.clone(), e.to_string()))?;
                        open()?
                    }
                }
            }
        };
        index.tokenizers().register(ANALYZER, analyzer());
        index.tokenizers().register(PAIRS, pair_analyzer());
        let writer = index.writer_with_num_threads(1, WRITER_MEMORY).map_err(|e| match (e, dir) {
            (tantivy::TantivyError::LockFailure(..), Some(dir)) => {
                SearchError::Dir(dir.display().to_string(), "another process is using this search index; give each server its own search_dir".into())
            }
            (e, _) => e.into(),
        })?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(SearchIndex { index, fields, writer: Mutex::new(writer), reader, analyzer: analyzer(), parallel_from: PARALLEL_FROM, wand_from: WAND_FROM })
    }

    /// The position in the change log that the last commit reached, as the store wrote it.
    pub fn position(&self) -> Result<Option<String>> {
        Ok(self.index.load_metas()?.payload)
    }

    /// How many articles the index holds.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Removes the articles in `gone` and every article in `docs`, adds `docs`, and commits
    /// the lot with `position`; searches see it once this returns. With `clear`, everything
    /// is removed first.
    pub fn apply(&self, clear: bool, gone: &[i64], docs: &[Doc], position: &str) -> Result<()> {
        let mut writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        if clear {
            writer.delete_all_documents()?;
        }
        for id in gone.iter().chain(docs.iter().map(|d| &d.id)) {
            writer.delete_term(Term::from_field_u64(self.fields.id, *id as u64));
        }
        for d in docs {
            let mut doc = TantivyDocument::default();
            doc.add_u64(self.fields.id, d.id as u64);
            doc.add_u64(self.fields.section, d.section_id as u64);
            for a in &d.author_ids {
                doc.add_u64(self.fields.author, *a as u64);
            }
            doc.add_i64(self.fields.publish_at, d.publish_at);
            for (field, text) in self.fields.text.iter().zip([&d.headline, &d.deck, &d.film, &d.people, &d.tags, &d.body]) {
                doc.add_text(*field, text);
                doc.add_text(self.fields.any, text);
                doc.add_text(self.fields.pairs, text);
            }
            writer.add_document(doc)?;
        }
        let mut commit = writer.prepare_commit()?;
        commit.set_payload(position);
        commit.commit()?;
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    /// The ids of one page of the articles matching `q` whose publication time has come by
    /// `now`, best first, and how many match in all.
    ///
    /// Ranking is the text's score times a recency factor from 1 (old) to [`MAX_RECENCY`]
    /// (today), computed per match; ties go to the newer article, then the later id, so pages
    /// keep their order when tantivy merges segments. Every match is counted, but not every
    /// one is scored: once a page's worth is held, tantivy may pass over any block of postings
    /// whose best text score, times the largest recency factor, could not beat the weakest
    /// held (block-max WAND, for a single word without filters, see [`WordFields`]; other
    /// queries are scored in full, and a match below the bar is not offered). A single word
    /// is counted from the field of every word. The time filter (`now`) is checked per match
    /// rather than by a range over the whole index, which cost more than the ranking on a
    /// common word. A large index's segments are ranked on several cores ([`PARALLEL_FROM`]).
    pub fn search(&self, q: &SearchQuery, filter: &Filter, now: i64, limit: usize, offset: usize) -> Result<(Vec<i64>, usize)> {
        let (query, prunable) = self.query(q, filter, now);
        let searcher = self.reader.searcher();
        // Past the matches there is nothing to rank, and ranking reserves room for every
        // match before the page asked for.
        let keep = if limit == 0 || offset >= MAX_OFFSET { 0 } else { limit + offset };
        let scoring = query.weight(EnableScoring::enabled_from_searcher(&searcher))?;
        // A single word alone (`prunable`), by its stem.
        let word = if prunable { self.single_stem(q) } else { None };
        // A single word (or a count alone) is counted apart, less the matches not yet
        // published, then ranked in a pass that may pass over blocks. Anything else is scored
        // in full anyway, and one pass counts and ranks.
        let counting = if prunable || keep == 0 {
            // A single word alone (`prunable`) is counted in the field of every word; with
            // filters, its matches are those of the whole query.
            let matches: Box<dyn Query> = match &word {
                Some(stem) => Box::new(TermQuery::new(Term::from_field_text(self.fields.any, stem), IndexRecordOption::Basic)),
                None => query.box_clone(),
            };
            let unpublished = BooleanQuery::new(vec![
                (Occur::Must, matches.box_clone()),
                (Occur::Must, Box::new(RangeQuery::new(Bound::Excluded(Term::from_field_i64(self.fields.publish_at, now)), Bound::Unbounded))),
            ]);
            Some((matches.weight(EnableScoring::disabled_from_searcher(&searcher))?, unpublished.weight(EnableScoring::disabled_from_searcher(&searcher))?))
        } else {
            None
        };
        // A segment's matches can gain no more than its newest article's recency factor,
        // which for a segment of older articles is well under the largest: the newest
        // segments first, so that the page fills with boosted matches and the older segments'
        // blocks are passed over against a higher bar.
        let mut segments = Vec::new();
        for segment in searcher.segment_readers() {
            let facts = SegmentFacts::of(segment)?;
            segments.push((facts.most_recency(now), facts, segment));
        }
        segments.sort_by(|a, b| b.0.total_cmp(&a.0));
        // Made the first time a segment is worth passing over blocks in.
        let per_field: std::sync::OnceLock<WordFields> = std::sync::OnceLock::new();
        let fields_of = |stem: &str| -> Result<&WordFields> {
            if let Some(made) = per_field.get() {
                return Ok(made);
            }
            let made = WordFields::new(self, stem, &searcher)?;
            Ok(per_field.get_or_init(|| made))
        };
        let rank = |part: &[&(f64, SegmentFacts, &SegmentReader)]| -> Result<(Best, usize)> {
            let mut best = Best { keep, held: BinaryHeap::with_capacity(keep + 1) };
            let mut total = 0;
            for (most, facts, segment) in part.iter().map(|s| (s.0, &s.1, s.2)) {
                match &counting {
                    Some((all, unpublished)) => {
                        // Most segments hold nothing scheduled, and need not walk the
                        // matches a second time to find none.
                        let early = if facts.published.max_value() > now { unpublished.count(segment)? } else { 0 };
                        let found = all.count(segment)?.saturating_sub(early) as usize;
                        total += found;
                        let first = best.threshold(most);
                        let mut offer = |doc: DocId, score: Score| {
                            if let Some(r) = facts.ranked(doc, score, now) {
                                best.offer(r);
                            }
                            best.threshold(most)
                        };
                        // Passing over blocks pays where a word is neither rare nor in most
                        // of a segment's articles: a few hundred matches are walked sooner
                        // than the weights are made, and where nearly every article has it
                        // there are few blocks to pass over and many to seek in.
                        let worth = found >= self.wand_from && found * 2 <= segment.max_doc() as usize;
                        match (&word, keep > 0 && found > 0) {
                            (_, false) => {}
                            (Some(stem), true) if worth => {
                                if let Some(union) = fields_of(stem)?.union_in(segment)? {
                                    union.for_each_pruning(first, segment, &mut offer)?;
                                }
                            }
                            _ => scoring.for_each_pruning(first, segment, &mut offer)?,
                        }
                    }
                    None => scoring.for_each(segment, &mut |doc: DocId, score: Score| {
                        if let Some(r) = facts.ranked(doc, score, now) {
                            total += 1;
                            best.offer(r);
                        }
                    })?,
                }
            }
            Ok((best, total))
        };
        // A large index's segments are dealt out to the cores, each part newest first and
        // ranked on its own; the parts' best are then offered to one another.
        let parts = if searcher.num_docs() >= self.parallel_from { std::thread::available_parallelism().map_or(1, |n| n.get()).min(MAX_THREADS) } else { 1 };
        let mut dealt: Vec<(u64, Vec<_>)> = (0..parts.min(segments.len()).max(1)).map(|_| (0, Vec::new())).collect();
        for s in &segments {
            let lightest = dealt.iter_mut().min_by_key(|(docs, _)| *docs).expect("at least one part");
            lightest.0 += u64::from(s.2.max_doc());
            lightest.1.push(s);
        }
        let ranked: Vec<Result<(Best, usize)>> = if dealt.len() == 1 {
            vec![rank(&dealt[0].1)]
        } else {
            std::thread::scope(|scope| {
                let (first, rest) = dealt.split_first().expect("at least one part");
                let others: Vec<_> = rest.iter().map(|(_, part)| scope.spawn(|| rank(part))).collect();
                let mut out = vec![rank(&first.1)];
                out.extend(others.into_iter().map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))));
                out
            })
        };
        let mut best = Best { keep, held: BinaryHeap::with_capacity(keep + 1) };
        let mut total = 0;
        for part in ranked {
            let (held, found) = part?;
            total += found;
            held.held.into_iter().for_each(|Reverse(r)| best.offer(r));
        }
        Ok((best.page(offset), total))
    }

    /// The query for `q` within `filter`, and whether it is a single word's union of fields,
    /// whose blocks tantivy can pass over.
    fn query(&self, q: &SearchQuery, filter: &Filter, now: i64) -> (Box<dyn Query>, bool) {
        let mut parts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for clause in &q.clauses {
            let occur = if clause.exclude { Occur::MustNot } else { Occur::Must };
            parts.push((occur, self.term_query(&clause.term)));
        }
        let exact = |field: Field, v: i64| -> Box<dyn Query> { Box::new(ConstScoreQuery::new(Box::new(TermQuery::new(Term::from_field_u64(field, v as u64), IndexRecordOption::Basic)), 0.0)) };
        if let Some(s) = filter.section_id {
            parts.push((Occur::Must, exact(self.fields.section, s)));
        }
        if let Some(a) = filter.author_id {
            parts.push((Occur::Must, exact(self.fields.author, a)));
        }
        // The dates asked for; `now` itself is checked per match (`search`).
        let at = |v: i64| Term::from_field_i64(self.fields.publish_at, v);
        let lower = filter.from.map_or(Bound::Unbounded, |f| Bound::Included(at(f)));
        let upper = filter.to.filter(|t| *t <= now).map_or(Bound::Unbounded, |t| Bound::Excluded(at(t)));
        if !matches!((&lower, &upper), (Bound::Unbounded, Bound::Unbounded)) {
            parts.push((Occur::Must, Box::new(ConstScoreQuery::new(Box::new(RangeQuery::new(lower, upper)), 0.0))));
        }
        // One word alone is searched as its own union of fields, which tantivy can prune.
        let word = matches!(q.clauses.as_slice(), [c] if !c.exclude && matches!(c.term, QueryTerm::Word(_)));
        if let [(Occur::Must, _)] = parts.as_slice() {
            let only = parts.pop().map_or_else(|| Box::new(tantivy::query::EmptyQuery) as Box<dyn Query>, |(_, q)| q);
            return (only, word);
        }
        (Box::new(BooleanQuery::new(parts)), false)
    }

    /// The stem of `q` when it is one word alone.
    fn single_stem(&self, q: &SearchQuery) -> Option<String> {
        match q.clauses.as_slice() {
            [c] if !c.exclude => match &c.term {
                QueryTerm::Word(w) => match tokens(&mut self.analyzer.clone(), w).as_slice() {
                    [stem] => Some(stem.clone()),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        }
    }

    /// One term of the query, in any text field, each field's match weighted.
    fn term_query(&self, term: &QueryTerm) -> Box<dyn Query> {
        let per_field = |make: &dyn Fn(Field) -> Box<dyn Query>| -> Box<dyn Query> {
            let fields = self.fields.text.iter().zip(TEXT_FIELDS).map(|(f, (_, weight))| (Occur::Should, Box::new(BoostQuery::new(make(*f), weight)) as Box<dyn Query>));
            Box::new(BooleanQuery::new(fields.collect()))
        };
        match term {
            QueryTerm::Prefix(p) => {
                let pattern = prefix_pattern(&self.prefixes(p));
                per_field(&|f| match RegexQuery::from_pattern(&pattern, f) {
                    Ok(q) => Box::new(q),
                    Err(_) => Box::new(tantivy::query::EmptyQuery),
                })
            }
            QueryTerm::Word(w) => self.words_query(std::slice::from_ref(w), per_field),
            QueryTerm::Phrase(ws) => self.words_query(ws, per_field),
        }
    }

    fn words_query(&self, words: &[String], per_field: impl Fn(&dyn Fn(Field) -> Box<dyn Query>) -> Box<dyn Query>) -> Box<dyn Query> {
        let stems: Vec<String> = words.iter().flat_map(|w| tokens(&mut self.analyzer.clone(), w)).collect();
        match stems.len() {
            0 => Box::new(tantivy::query::EmptyQuery),
            1 => per_field(&|f| Box::new(TermQuery::new(Term::from_field_text(f, &stems[0]), IndexRecordOption::WithFreqs))),
            // In each field, the phrase is looked for only in the articles holding all its
            // pairs (which score nothing): the positions of its words, read to prove it, are
            // most of its cost, and its commonest words are in nearly every article.
            _ => {
                let pairs: Vec<Term> = stems.windows(2).map(|two| Term::from_field_text(self.fields.pairs, &pair(&two[0], &two[1]))).collect();
                per_field(&|f| {
                    let mut parts: Vec<(Occur, Box<dyn Query>)> =
                        pairs.iter().map(|t| (Occur::Must, Box::new(ConstScoreQuery::new(Box::new(TermQuery::new(t.clone(), IndexRecordOption::Basic)), 0.0)) as Box<dyn Query>)).collect();
                    parts.push((Occur::Must, Box::new(PhraseQuery::new(stems.iter().map(|s| Term::from_field_text(f, s)).collect()))));
                    Box::new(BooleanQuery::new(parts))
                })
            }
        }
    }

    /// What the stems a prefix should find begin with: the prefix as typed (folded), and its
    /// own stem when that differs, since the index holds stems (`happy*` must find "happiness",
    /// stored as `happi`, and `reviews*` find "review").
    fn prefixes(&self, p: &str) -> Vec<String> {
        let folded = tokens(&mut folder(), p).concat();
        let stem = tokens(&mut self.analyzer.clone(), p).concat();
        let mut out = vec![folded];
        if !stem.is_empty() && stem != out[0] {
            out.push(stem);
        }
        out
    }

    /// `text` with every word that matches an included term of `q` between [`MARK_START`] and
    /// [`MARK_END`].
    pub fn mark_all(&self, q: &SearchQuery, text: &str) -> String {
        let found = self.matches(q, text);
        marked(text, 0, text.len(), &found)
    }

    /// The passage of `text` (about 40 words) that holds the most matches of `q`, marked as in
    /// [`SearchIndex::mark_all`], with `…` where it cuts the text; the start of the text when
    /// nothing matches.
    pub fn snippet(&self, q: &SearchQuery, text: &str) -> String {
        let words = word_spans(text);
        if words.is_empty() {
            return String::new();
        }
        let found = self.matches(q, text);
        let is_match: Vec<bool> = words.iter().map(|w| found.iter().any(|m| m.0 == w.0)).collect();
        let window = SNIPPET_WORDS.min(words.len());
        let mut best = (0usize, 0usize);
        let mut count: usize = is_match[..window].iter().filter(|m| **m).count();
        if count > 0 {
            best = (count, 0);
        }
        for start in 1..=words.len() - window {
            count = count + is_match[start + window - 1] as usize - is_match[start - 1] as usize;
            if count > best.0 {
                best = (count, start);
            }
        }
        // Start a few words before the first match, so the passage reads as a sentence.
        let mut start = best.1;
        if best.0 > 0 {
            let first = (start..start + window).find(|i| is_match[*i]).unwrap_or(start);
            start = first.saturating_sub(5).min(words.len() - window);
        }
        let end = start + window - 1;
        let mut out = String::new();
        if start > 0 {
            out.push('…');
        }
        out.push_str(&marked(text, words[start].0, words[end].1, &found));
        if end + 1 < words.len() {
            out.push('…');
        }
        out
    }

    /// Byte ranges of the words in `text` that match an included term of `q`.
    fn matches(&self, q: &SearchQuery, text: &str) -> Vec<(usize, usize)> {
        let mut stems: Vec<String> = Vec::new();
        let mut prefixes: Vec<String> = Vec::new();
        for c in q.clauses.iter().filter(|c| !c.exclude) {
            match &c.term {
                QueryTerm::Word(w) => stems.extend(tokens(&mut self.analyzer.clone(), w)),
                QueryTerm::Phrase(ws) => ws.iter().for_each(|w| stems.extend(tokens(&mut self.analyzer.clone(), w))),
                QueryTerm::Prefix(p) => prefixes.extend(self.prefixes(p)),
            }
        }
        let mut out = Vec::new();
        let mut analyzer = self.analyzer.clone();
        let mut stream = analyzer.token_stream(text);
        while stream.advance() {
            let t = stream.token();
            if stems.iter().any(|s| *s == t.text) || prefixes.iter().any(|p| t.text.starts_with(p.as_str())) {
                out.push((t.offset_from, t.offset_to));
            }
        }
        out
    }
}

/// The index's terms for `text`.
fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// Byte ranges of every word in `text`, as the tokenizer splits it.
fn word_spans(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut analyzer = TextAnalyzer::from(SimpleTokenizer::default());
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        out.push((stream.token().offset_from, stream.token().offset_to));
    }
    out
}

/// `text[from..to]` with the ranges in `found` marked.
fn marked(text: &str, from: usize, to: usize, found: &[(usize, usize)]) -> String {
    let mut out = String::with_capacity(to - from + 16);
    let mut at = from;
    for &(s, e) in found.iter().filter(|(s, e)| *s >= from && *e <= to) {
        out.push_str(&text[at..s]);
        out.push(MARK_START);
        out.push_str(&text[s..e]);
        out.push(MARK_END);
        at = e;
    }
    out.push_str(&text[at..to]);
    out
}

/// A regular expression for terms that begin with any of `prefixes`.
fn prefix_pattern(prefixes: &[String]) -> String {
    let alternatives: Vec<String> = prefixes.iter().map(|p| escape(p)).collect();
    format!("(?:{}).*", alternatives.join("|"))
}

/// Escapes a term for tantivy's regular expressions (every character that is not a letter
/// or digit gets a backslash; a query's prefix holds only letters and digits anyway).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if !c.is_alphanumeric() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod proptests;

#[cfg(test)]
mod tests {
    use super::*;
    use marquee_domain::search::parse;

    pub(crate) fn doc(id: i64, headline: &str, body: &str, publish_at: i64) -> Doc {
        Doc { id, headline: headline.into(), body: body.into(), section_id: 1, author_ids: vec![7], publish_at, ..Default::default() }
    }

    #[test]
    fn remembered_stems_are_the_stemmers_own() {
        let text = "Running runners ran; the audiences' generously generous running, CONNECTIONS connected. Running again: runs, connections, étés";
        let plain = |t: &str| {
            let mut a = TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(RemoveLongFilter::limit(60))
                .filter(LowerCaser)
                .filter(AsciiFoldingFilter)
                .filter(tantivy::tokenizer::Stemmer::new(tantivy::tokenizer::Language::English))
                .build();
            tokens(&mut a, t)
        };
        let mut ours = analyzer();
        let want = plain(text);
        assert!(want.contains(&"run".to_string()) && want.contains(&"connect".to_string()), "{want:?}");
        // Twice on one analyzer (the second time every word is remembered), and on a copy.
        assert_eq!(tokens(&mut ours, text), want);
        assert_eq!(tokens(&mut ours, text), want);
        assert_eq!(tokens(&mut ours.clone(), text), want);
        // A remembered word does not leak into the next one's text.
        assert_eq!(tokens(&mut ours, "generously generals general"), plain("generously generals general"));
    }

    #[test]
    fn pairs_are_stems_side_by_side() {
        let long = "x".repeat(61);
        let text = format!("The night-market's Stalls, {long} open late");
        assert_eq!(tokens(&mut pair_analyzer(), &text), ["the night", "night market", "market s", "s stall", "open late"], "none across a word left out");
        assert_eq!(tokens(&mut pair_analyzer(), "alone"), Vec::<String>::new());
        // Each pair spans its two words in the text.
        let mut pairs = pair_analyzer();
        let mut stream = pairs.token_stream("open late, night");
        let mut spans = Vec::new();
        while stream.advance() {
            spans.push((stream.token().offset_from, stream.token().offset_to, stream.token().position));
        }
        assert_eq!(spans, [(0, 9, 0), (5, 16, 1)]);
        assert_eq!(pair("night", "market"), "night market");
    }

    /// The pairs only narrow where a phrase is looked for: it finds, counts and ranks what the
    /// phrase alone would, in every field with its weight.
    #[test]
    fn pairs_narrow_a_phrase_without_changing_what_it_finds_or_its_order() {
        let index = SearchIndex::open(None).unwrap();
        let now = 1_000_000_000;
        const WORDS: [&str; 8] = ["night", "market", "the", "at", "open", "late", "stalls", "food"];
        let mut seed = 7u64;
        let mut words = |n: usize| -> String {
            (0..n)
                .map(|_| {
                    seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                    WORDS[(seed >> 33) as usize % WORDS.len()]
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        let mut docs: Vec<Doc> = (1..=300).map(|id| Doc { deck: words(4), tags: words(2), ..doc(id, &words(3), &words(40), now - id * 3_600) }).collect();
        // Both words, never side by side; and side by side but for a word too long to index.
        docs.push(doc(301, "Market", "the night is late and the market open", now));
        docs.push(doc(302, "Night", &format!("night {} market", "y".repeat(61)), now));
        index.apply(false, &[], &docs, "e 1").unwrap();
        for q in ["night market", "at the", "the night market", "market night the", "open late food stalls", "night night", "stalls, open"] {
            let stems = tokens(&mut analyzer(), q);
            let alone = TEXT_FIELDS.iter().zip(index.fields.text).map(|((_, weight), f)| {
                let phrase = PhraseQuery::new(stems.iter().map(|s| Term::from_field_text(f, s)).collect());
                (Occur::Should, Box::new(BoostQuery::new(Box::new(phrase), *weight)) as Box<dyn Query>)
            });
            let want = ranked_by(&index, Box::new(BooleanQuery::new(alone.collect())), now);
            let (ids, total) = index.search(&parse(&format!("\"{q}\"")).unwrap(), &Filter::default(), now, 1_000, 0).unwrap();
            assert!(!want.is_empty() || q.split(' ').count() > 3, "{q}: the test's phrase is found somewhere");
            assert_eq!(ids, want, "{q}");
            assert_eq!(total, want.len(), "{q}");
            assert!(!ids.contains(&301) && !ids.contains(&302), "{q}");
        }
    }

    /// An index kept from a release whose fields differ (here: one without the pairs) is
    /// started over empty, with no position, so that the store fills it again from the log.
    #[test]
    fn an_index_with_other_fields_is_started_over() {
        let dir = std::env::temp_dir().join(format!("marquee-search-unit-{}-{}", std::process::id(), line!()));
        let _ = std::fs::remove_dir_all(&dir);
        {
            let mut older = Schema::builder();
            let id = older.add_u64_field("id", INDEXED | FAST);
            older.add_text_field("headline", TextOptions::default().set_indexing_options(TextFieldIndexing::default().set_index_option(IndexRecordOption::WithFreqsAndPositions)));
            std::fs::create_dir_all(&dir).unwrap();
            let index = tantivy::Index::create_in_dir(&dir, older.build()).unwrap();
            let mut writer: IndexWriter = index.writer_with_num_threads(1, WRITER_MEMORY).unwrap();
            let mut doc = TantivyDocument::default();
            doc.add_u64(id, 1);
            writer.add_document(doc).unwrap();
            let mut commit = writer.prepare_commit().unwrap();
            commit.set_payload("e 9");
            commit.commit().unwrap();
        }
        let index = SearchIndex::open(Some(&dir)).unwrap();
        assert!(index.is_empty());
        assert_eq!(index.position().unwrap(), None);
        index.apply(false, &[], &[doc(1, "Night market", "Open late.", 100)], "e 1").unwrap();
        assert_eq!(index.search(&parse("\"night market\"").unwrap(), &Filter::default(), 200, 10, 0).unwrap(), (vec![1], 1));
        drop(index);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn finds_stems_prefixes_phrases_and_leaves_out_exclusions() {
        let index = SearchIndex::open(None).unwrap();
        let now = 1_000_000_000;
        index
            .apply(false, &[], &[doc(1, "Running with wolves", "A film about Céline and the wolves.", now - 10), doc(2, "Quiet", "The audience ran out of the theater.", now - 10)], "e 1")
            .unwrap();
        let find = |q: &str| index.search(&parse(q).unwrap(), &Filter::default(), now, 10, 0).unwrap();
        assert_eq!(find("runs").0, vec![1], "stems");
        assert_eq!(find("celine").0, vec![1], "folded accents");
        assert_eq!(find("audi*").0, vec![2]);
        assert_eq!(find("running*").0, vec![1], "a whole inflected word as a prefix finds its stem");
        assert_eq!(find("\"about celine\"").0, vec![1]);
        assert_eq!(find("\"celine about\"").0, Vec::<i64>::new());
        assert_eq!(find("the -wolves").0, vec![2]);
        assert_eq!(index.position().unwrap().as_deref(), Some("e 1"));
        index.apply(false, &[1], &[], "e 2").unwrap();
        assert_eq!(find("runs").1, 0, "removed");
    }

    // A single word is counted from the field of every word: each text field must be in it.
    #[test]
    fn a_word_in_any_one_field_is_counted() {
        let index = SearchIndex::open(None).unwrap();
        let now = 1_000_000_000;
        let only = |id: i64, field: usize| {
            let mut d = doc(id, "Nothing here", "plain words", now - id);
            let text = "Lanterns";
            match field {
                0 => d.headline = text.into(),
                1 => d.deck = text.into(),
                2 => d.film = text.into(),
                3 => d.people = text.into(),
                4 => d.tags = text.into(),
                _ => d.body = text.into(),
            }
            d.section_id = 1 + id % 2;
            d
        };
        let mut docs: Vec<Doc> = (0..6).map(|f| only(f as i64 + 1, f)).collect();
        docs.push(doc(7, "Nothing", "no such word", now - 7));
        docs.push(Doc { publish_at: now + 60, ..only(8, 5) });
        index.apply(false, &[], &docs, "e 1").unwrap();
        let q = parse("lantern").unwrap();
        let count = |filter: &Filter, limit: usize| index.search(&q, filter, now, limit, 0).unwrap();
        let (ids, total) = count(&Filter::default(), 10);
        assert_eq!(total, 6, "one match in each text field; the scheduled one not yet");
        assert_eq!(ids.len(), 6);
        assert_eq!(count(&Filter::default(), 0), (vec![], 6), "counted alone");
        assert_eq!(count(&Filter { section_id: Some(2), ..Default::default() }, 10).1, 3, "a filter narrows the count");
        assert_eq!(count(&Filter { section_id: Some(2), ..Default::default() }, 0).1, 3);
        index.apply(false, &[4], &[], "e 2").unwrap();
        assert_eq!(count(&Filter::default(), 0).1, 5, "a deleted article is not counted");
        assert_eq!(index.search(&q, &Filter::default(), now + 120, 10, 0).unwrap().1, 6, "the scheduled one once its time comes");
    }

    #[test]
    fn headlines_outrank_bodies_and_newer_wins_a_tie() {
        let index = SearchIndex::open(None).unwrap();
        let now = 1_000_000_000;
        let year = 365 * 86_400;
        index
            .apply(false, &[], &[doc(1, "Other", "otters here", now - 100), doc(2, "Otters", "nothing", now - 5 * year), doc(3, "Other", "otters here", now - 2 * year), doc(4, "Later", "otters", now + 100)], "e 1")
            .unwrap();
        let (ids, total) = index.search(&parse("otters").unwrap(), &Filter::default(), now, 10, 0).unwrap();
        assert_eq!(ids, vec![2, 1, 3], "a scheduled article is not found before its time");
        assert_eq!(total, 3);
        let page2 = index.search(&parse("otters").unwrap(), &Filter::default(), now, 2, 2).unwrap();
        assert_eq!(page2, (vec![3], 3));
        let filtered = index.search(&parse("otters").unwrap(), &Filter { author_id: Some(8), ..Default::default() }, now, 10, 0).unwrap();
        assert_eq!(filtered, (vec![], 0));
        // Equal in every way but the id: the later id first, whatever the index's order.
        index.apply(false, &[], &[doc(9, "Twins", "alike", now - 50), doc(8, "Twins", "alike", now - 50)], "e 2").unwrap();
        assert_eq!(index.search(&parse("twins").unwrap(), &Filter::default(), now, 10, 0).unwrap().0, vec![9, 8]);
        assert_eq!(index.search(&parse("twins").unwrap(), &Filter::default(), now, 10, 20_000).unwrap(), (vec![], 2), "too deep: only the count");
    }

    /// Every match of the query, scored by tantivy and ranked by the same rule, with nothing
    /// passed over: what `search` must agree with.
    fn ranked_in_full(index: &SearchIndex, q: &str, filter: &Filter, now: i64) -> Vec<i64> {
        ranked_by(index, index.query(&parse(q).unwrap(), filter, now).0, now)
    }

    /// Every match of `query`, ranked as `search` ranks.
    fn ranked_by(index: &SearchIndex, query: Box<dyn Query>, now: i64) -> Vec<i64> {
        let searcher = index.reader.searcher();
        let top = tantivy::collector::TopDocs::with_limit(100_000).tweak_score(move |segment: &tantivy::SegmentReader| {
            let published = segment.fast_fields().i64("publish_at").unwrap().first_or_default_col(i64::MAX);
            let ids = segment.fast_fields().u64("id").unwrap().first_or_default_col(0);
            move |doc: DocId, score: Score| {
                let at = published.get_val(doc);
                let age_days = (now - at) as f64 / 86_400.0;
                (if at > now { f64::MIN } else { score as f64 * recency(age_days) }, -age_days, ids.get_val(doc))
            }
        });
        searcher.search(&query, &top).unwrap().into_iter().filter(|(r, _)| r.0 > f64::MIN).map(|(r, _)| r.2 as i64).collect()
    }

    #[test]
    fn passing_over_weak_matches_ranks_as_scoring_every_one() {
        let mut index = SearchIndex::open(None).unwrap();
        let now = 2_000_000_000;
        let day = 86_400;
        // 5,000 articles over twenty years: the word in headlines, decks and bodies, once or
        // many times, so blocks of postings differ in their best scores and most can be
        // passed over; some scheduled, some with a second word.
        let docs: Vec<Doc> = (0..5_000)
            .map(|i: i64| {
                let times = 1 + (i * 7919) % 13;
                let body = format!("{} filler text{}", "gallery ".repeat(times as usize), if i % 3 == 0 { " opening night" } else { "" });
                let headline = if i % 97 == 0 {
                    "Gallery news"
                } else if i % 89 == 0 {
                    "Opening soon"
                } else {
                    "Around town"
                };
                Doc { deck: if i % 41 == 0 { "A gallery".into() } else { String::new() }, section_id: 1 + i % 4, ..doc(i, headline, &body, now - (i * 7_331) % (7_300 * day) + if i % 250 == 0 { 30 * day } else { 0 }) }
            })
            .collect();
        for chunk in docs.chunks(1_000) {
            index.apply(false, &[], chunk, "e").unwrap();
        }
        // Some removed afterwards, so deleted postings are in the segments.
        let gone: Vec<i64> = (0..5_000).step_by(13).collect();
        index.apply(false, &gone, &[], "e 2").unwrap();
        // Ranked on one core, then with the segments dealt out to several, then passing over
        // blocks in every segment where a word is in no more than half the articles ("opening"
        // is in a third, in headlines and bodies; the segments here hold too few for that).
        for (parallel_from, wand_from) in [(u64::MAX, WAND_FROM), (0, WAND_FROM), (u64::MAX, 1)] {
            index.parallel_from = parallel_from;
            index.wand_from = wand_from;
            for (q, filter) in [
                ("gallery", Filter::default()),
                ("opening", Filter::default()),
                ("gallery opening", Filter::default()),
                ("\"opening night\"", Filter::default()),
                ("galler*", Filter::default()),
                ("gallery -opening", Filter::default()),
                ("gallery", Filter { section_id: Some(2), ..Default::default() }),
                ("gallery", Filter { from: Some(now - 400 * day), to: Some(now - 10 * day), ..Default::default() }),
            ] {
                let all = ranked_in_full(&index, q, &filter, now);
                assert!(all.len() > 500, "{q}: {}", all.len());
                for (limit, offset) in [(10, 0), (10, 10), (25, 300)] {
                    let (ids, total) = index.search(&parse(q).unwrap(), &filter, now, limit, offset).unwrap();
                    assert_eq!(total, all.len(), "{q}");
                    assert_eq!(ids, all[offset..offset + limit], "{q} {limit} from {offset} ({parallel_from}, {wand_from})");
                }
            }
        }
    }

    // Segments written a year at a time, as a paper's archive is: each segment's bar is set
    // by its newest article's recency. Scheduled articles sit in an old segment (whose bar is
    // then the largest), and some articles are deleted.
    #[test]
    fn passing_over_older_segments_ranks_as_scoring_every_one() {
        let mut index = SearchIndex::open(None).unwrap();
        let now = 2_000_000_000;
        let day = 86_400;
        let docs: Vec<Doc> = (0..6_000)
            .map(|i: i64| {
                let times = 1 + (i * 7919) % 11;
                let body = format!("{} filler{}", "harbor ".repeat(times as usize), if i % 5 == 0 { " ferry" } else { "" });
                let headline = if i % 89 == 0 { "Harbor notes" } else { "City desk" };
                let at = if i % 1_000 == 7 && i < 2_000 { now + 3 * day } else { now - (6_000 - i) * day };
                doc(i, headline, &body, at)
            })
            .collect();
        for chunk in docs.chunks(500) {
            index.apply(false, &[], chunk, "e").unwrap();
        }
        let gone: Vec<i64> = (0..6_000).step_by(17).collect();
        index.apply(false, &gone, &[], "e 2").unwrap();
        for (at, parallel_from) in [(now, u64::MAX), (now - 3_000 * day, u64::MAX), (now, 0), (now - 3_000 * day, 0)] {
            index.parallel_from = parallel_from;
            let all = ranked_in_full(&index, "harbor", &Filter::default(), at);
            assert!(all.len() > 2_000, "{}", all.len());
            for (limit, offset) in [(10, 0), (10, 40), (50, 500)] {
                let (ids, total) = index.search(&parse("harbor").unwrap(), &Filter::default(), at, limit, offset).unwrap();
                assert_eq!(total, all.len());
                assert_eq!(ids, all[offset..offset + limit], "{limit} from {offset} at {at} ({parallel_from})");
            }
        }
    }

    #[test]
    fn snippets_mark_the_matching_words() {
        let index = SearchIndex::open(None).unwrap();
        let q = parse("wolves aud*").unwrap();
        let m = |s: &str| s.replace(MARK_START, "[").replace(MARK_END, "]");
        assert_eq!(m(&index.mark_all(&q, "The Wolves & the Audience")), "The [Wolves] & the [Audience]");
        let long: String = (0..100).map(|i| if i == 40 { "wolves ".to_string() } else { format!("w{i} ") }).collect();
        let s = m(&index.snippet(&q, &long));
        assert!(s.starts_with("…w35 w36 w37 w38 w39 [wolves] w41"), "{s}");
        assert!(s.ends_with('…'));
        assert_eq!(m(&index.snippet(&q, "no match here")), "no match here");
    }
}

